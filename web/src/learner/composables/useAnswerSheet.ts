/** An open attempt's answers on this phone: each choice is saved as it is made, through
 * one queue sent in order (so a later choice of a question always lands after an earlier
 * one). Offline, or when the network fails, choices stay queued and show as unsaved; they
 * go when the phone is back online or the learner retries. An attempt closed elsewhere
 * (another tab or device submitted, or the deadline passed) is learnt from any answer
 * and told once through `onClosedElsewhere`; nothing more is saved after.
 * A busy server's answer (429/503 with `Retry-After`) is tried again by itself after the
 * wait it names, the same answers again, only while the attempt's deadline is ahead. */
import { computed, onScopeDispose, reactive, ref } from 'vue'
import { ApiError, unwrap, type Api, type Schemas } from '../../api/client'
import { serverNow } from '../../shared/clock'

export type Label = Schemas['Answers']['answers'][string][number]
export type SaveState = 'saving' | 'saved' | 'failed'
type Attempt = Schemas['Attempt']
export type Submitted = { ok: true } | { ok: false; code: string }

const LABELS: readonly string[] = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'] satisfies Label[]
const isLabel = (key: string): key is Label => LABELS.includes(key)
const codeOf = (caught: unknown) => (caught instanceof ApiError ? caught.code : 'INTERNAL')
/** Worth another try later: the network, not the server's no. */
const passing = (code: string) =>
  code === 'NETWORK' || code === 'TIMEOUT' || code === 'INTERNAL' || code === 'THROTTLED' || code === 'UNAVAILABLE'
/** A submit's tries on a busy server before the learner is told. */
const SUBMIT_TRIES = 6
const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export interface SheetOptions {
  onClosedElsewhere: () => void | Promise<void>
  online?: () => boolean
  /** Where the page listens for the phone coming back online or to the front. */
  events?: { window: Window; document: Document } | null
  /** The attempt's deadline (epoch ms, 0 while unknown) and the server's clock: a busy
   * server is waited for only while the wait ends before it. */
  deadline?: () => number
  now?: () => number
  sleep?: (ms: number) => Promise<void>
}

export function useAnswerSheet(api: Api, at: { year: number; no: number }, options: SheetOptions) {
  const path = { year: String(at.year), attempt_no: String(at.no) }
  const online = options.online ?? (() => navigator.onLine)
  const answers = reactive<Record<string, Label[]>>({})
  const saves = reactive<Record<string, SaveState>>({})
  const closed = ref(false)
  const submitting = ref(false)
  const queue: string[] = [] // question ids waiting to be sent, the oldest choice first
  let sending = false
  let waking = false // a drain is already due after a busy server's wait
  const { deadline = () => 0, now = serverNow, sleep = sleepFor } = options

  /** How long to wait before trying again, if the server asked for it and the wait ends
   * before the deadline; else null. */
  function waitFor(caught: unknown): number | null {
    if (!(caught instanceof ApiError) || (caught.status !== 429 && caught.status !== 503)) return null
    if (caught.code !== 'THROTTLED' && caught.code !== 'UNAVAILABLE') return null
    const ms = (caught.retryAfter ?? 2) * 1000
    const due = deadline()
    return due > 0 && now() + ms >= due ? null : ms
  }

  /** The server's attempt: its saved answers, and the first question still unanswered. */
  function take(attempt: Attempt): number {
    if (attempt.state !== 'open') closed.value = true
    for (const [id, keys] of Object.entries(attempt.answers)) {
      answers[id] = keys.filter(isLabel)
      saves[id] = 'saved'
    }
    const next = attempt.questions.findIndex((q) => (answers[q.question_id] ?? []).length === 0)
    return next < 0 ? 0 : next
  }

  function choose(id: string, keys: string[]): void {
    if (closed.value) return
    answers[id] = keys.filter(isLabel).sort()
    enqueue(id)
  }

  function enqueue(id: string): void {
    // A question already waiting moves to the back with its newest answer (the one in
    // flight, at the head, stays: its successor goes after it).
    const waiting = queue.indexOf(id, sending ? 1 : 0)
    if (waiting >= 0) queue.splice(waiting, 1)
    queue.push(id)
    saves[id] = online() ? 'saving' : 'failed'
    void drain()
  }

  async function drain(): Promise<void> {
    if (sending || waking) return // after a busy answer, nothing goes before its wait ends
    sending = true
    try {
      while (queue.length && !closed.value && online()) {
        const id = queue[0]!
        saves[id] = 'saving'
        const { code, wait } = await send(id)
        if (code === 'ATTEMPT_CLOSED') {
          await closedElsewhere()
          return
        }
        if (wait !== null) {
          wakeAfter(wait) // still saving: the same answer goes again after the wait
          return
        }
        if (code && passing(code)) break
        queue.shift()
        if (!queue.includes(id)) saves[id] = code ? 'failed' : 'saved'
      }
      hold()
    } finally {
      sending = false
    }
  }

  /** What is still queued waits, shown unsaved, for the network or a retry. */
  function hold(): void {
    for (const id of queue) saves[id] = 'failed'
  }

  function wakeAfter(ms: number): void {
    if (waking) return
    waking = true
    void sleep(ms).then(() => {
      waking = false
      void drain()
    })
  }

  async function send(id: string): Promise<{ code: string | null; wait: number | null }> {
    try {
      const body = { answers: { [id]: answers[id] ?? [] } }
      await unwrap(api.PUT('/exams/{year}/attempts/{attempt_no}/answers', { params: { path }, body }))
      return { code: null, wait: null }
    } catch (caught) {
      return { code: codeOf(caught), wait: waitFor(caught) }
    }
  }

  /** Sends again every answer not saved (what was refused outright included). */
  function retry(): void {
    for (const [id, state] of Object.entries(saves)) if (state === 'failed' && !queue.includes(id)) queue.push(id)
    void drain()
  }

  async function closedElsewhere(): Promise<void> {
    if (closed.value) return
    closed.value = true
    queue.length = 0
    await options.onClosedElsewhere()
  }

  /** Everything chosen goes with the submit, saved or not (the server keeps what it had
   * saved if the deadline has passed). */
  async function submit(): Promise<Submitted> {
    if (submitting.value || closed.value) return { ok: false, code: 'BUSY' }
    submitting.value = true
    try {
      const body = { answers: { ...answers } } // the same answers on every try
      for (let tries = 1; ; tries++) {
        try {
          await unwrap(api.POST('/exams/{year}/attempts/{attempt_no}/submit', { params: { path }, body }))
          break
        } catch (caught) {
          const wait = tries < SUBMIT_TRIES ? waitFor(caught) : null
          if (wait === null) throw caught
          await sleep(wait) // a second submit is answered as the first: safe to send again
        }
      }
      closed.value = true
      queue.length = 0
      return { ok: true }
    } catch (caught) {
      const code = codeOf(caught)
      if (code === 'ATTEMPT_CLOSED') await closedElsewhere()
      return { ok: false, code }
    } finally {
      submitting.value = false
    }
  }

  /** Back to the front: another tab may have submitted meanwhile. */
  async function checkStillOpen(): Promise<void> {
    if (closed.value) return
    try {
      const attempt = await unwrap(api.GET('/exams/{year}/attempts/{attempt_no}', { params: { path } }))
      if (attempt.state !== 'open') await closedElsewhere()
    } catch {
      /* offline: the next save will tell */
    }
  }

  const events = options.events === undefined ? { window, document } : options.events
  if (events) {
    const onVisible = () => events.document.visibilityState === 'visible' && void checkStillOpen()
    const onOnline = () => retry()
    events.document.addEventListener('visibilitychange', onVisible)
    events.window.addEventListener('online', onOnline)
    onScopeDispose(() => {
      events.document.removeEventListener('visibilitychange', onVisible)
      events.window.removeEventListener('online', onOnline)
    })
  }

  const unanswered = (questions: readonly { question_id: string }[]) =>
    questions.flatMap((q, i) => ((answers[q.question_id] ?? []).length === 0 ? [i + 1] : []))
  const failedSaves = computed(() => Object.values(saves).filter((s) => s === 'failed').length)

  return { answers, saves, closed, submitting, failedSaves, take, choose, retry, submit, checkStillOpen, unanswered }
}

export type AnswerSheet = ReturnType<typeof useAnswerSheet>
