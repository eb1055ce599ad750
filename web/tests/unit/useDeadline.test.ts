import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, ref } from 'vue'
import { noteServerDate } from '../../src/shared/clock'
import { useDeadline } from '../../src/learner/composables/useDeadline'

const PHONE = Date.parse('2026-11-20T02:00:00Z') // the phone's clock
const scopes: ReturnType<typeof effectScope>[] = []

beforeEach(() => {
  vi.useFakeTimers()
  vi.setSystemTime(PHONE)
  noteServerDate(new Date(PHONE).toUTCString(), PHONE) // the server agrees, to begin with
})
afterEach(() => {
  scopes.splice(0).forEach((s) => s.stop())
  vi.useRealTimers()
  localStorage.clear()
})

function deadlineIn(ms: number, onDue = vi.fn(), due = () => true) {
  const scope = effectScope()
  scopes.push(scope)
  const deadline = ref(PHONE + ms)
  const countdown = scope.run(() => useDeadline(deadline, onDue, { due }))!
  return { ...countdown, onDue, deadline }
}

describe('the countdown', () => {
  it('counts down by the server’s clock, not the phone’s', () => {
    noteServerDate(new Date(PHONE + 10 * 60_000).toUTCString(), PHONE) // the phone is 10 minutes slow
    const { left, urgent } = deadlineIn(30 * 60_000)
    expect(left.value).toBe(20 * 60_000)
    expect(urgent.value).toBe(false)
    vi.advanceTimersByTime(15 * 60_000 + 1000)
    expect(left.value).toBe(5 * 60_000 - 1000)
    expect(urgent.value).toBe(true)
  })

  it('stops at zero', () => {
    const { left } = deadlineIn(1000)
    vi.advanceTimersByTime(10_000)
    expect(left.value).toBe(0)
  })
})

describe('at the deadline', () => {
  it('submits on its own, once', () => {
    const { onDue } = deadlineIn(60_000)
    vi.advanceTimersByTime(59_000)
    expect(onDue).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1000)
    expect(onDue).toHaveBeenCalledTimes(1)
  })

  it('still due (offline, the submit failed) tries again every 5 s, not every tick', () => {
    const { onDue } = deadlineIn(1000)
    vi.advanceTimersByTime(1000)
    expect(onDue).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(4500)
    expect(onDue).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(1000)
    expect(onDue).toHaveBeenCalledTimes(2)
  })

  it('does nothing once no longer due (submitted, or closed elsewhere)', () => {
    let open = true
    const { onDue } = deadlineIn(1000, vi.fn(), () => open)
    open = false
    vi.advanceTimersByTime(20_000)
    expect(onDue).not.toHaveBeenCalled()
  })

  it('waits for the attempt to be known (no deadline yet is not a deadline passed)', () => {
    const { onDue, deadline } = deadlineIn(0)
    deadline.value = 0
    vi.advanceTimersByTime(20_000)
    expect(onDue).not.toHaveBeenCalled()
  })

  it('stops ticking when the page goes', () => {
    const { onDue } = deadlineIn(1000)
    scopes.splice(0).forEach((s) => s.stop())
    vi.advanceTimersByTime(20_000)
    expect(onDue).not.toHaveBeenCalled()
  })
})
