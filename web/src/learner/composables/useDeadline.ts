/** A countdown to a deadline by the server's clock (the phone's may be off), and what
 * happens when it is reached: `onDue` runs at the deadline, and again every `retryMs`
 * while it is still `due` (offline at the deadline: the submit is tried again every few
 * seconds, not every tick). */
import { computed, onScopeDispose, ref, type Ref } from 'vue'
import { serverNow } from '../../shared/clock'

export interface DeadlineOptions {
  /** Whether the deadline still asks for action (not while submitting, not once closed). */
  due?: () => boolean
  now?: () => number
  tickMs?: number
  retryMs?: number
}

export function useDeadline(deadline: Ref<number>, onDue: () => void, options: DeadlineOptions = {}) {
  const { due = () => true, now: clock = serverNow, tickMs = 500, retryMs = 5000 } = options
  const now = ref(clock())
  const left = computed(() => Math.max(0, deadline.value - now.value))
  const urgent = computed(() => left.value < 5 * 60_000)
  let lastTry = -Infinity // on the phone's clock: only the spacing of tries matters

  const tick = setInterval(() => {
    now.value = clock()
    if (deadline.value > 0 && left.value === 0 && due() && Date.now() - lastTry > retryMs) {
      lastTry = Date.now()
      onDue()
    }
  }, tickMs)
  onScopeDispose(() => clearInterval(tick))

  return { left, urgent }
}
