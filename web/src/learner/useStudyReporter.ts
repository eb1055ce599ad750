/** The study-progress reporter (#26 point 4): while a lesson is open and the page is
 * visible it reports at most every `report_every_s`, and at once when the learner leaves
 * (the page hidden, the phone locked, the app switched, the tab closed: a keepalive
 * request, which outlives the page). Each report says where the learner is, how long
 * the page was visible since the last one (hidden time is never counted: the Page
 * Visibility API), and for a video the stretches actually played. The server credits
 * the least of those and the wall clock; an attention check it asks is shown as one tap,
 * and the answer goes with a report sent at once. A report that fails keeps its time
 * and stretches for the next one (the server still caps by the wall clock). */
import { onBeforeUnmount, reactive, shallowRef } from 'vue'
import type { Check, CheckAnswer, ProgressAnswer, ProgressReport, Segment } from '../api/content'

export interface ReporterDeps {
  send: (report: ProgressReport, keepalive: boolean) => Promise<ProgressAnswer>
  /** Where the learner is now (section anchor, second, page), ≤ 64 characters. */
  position: () => string
  /** The stretches played since the last call (video only) and, if that report failed, their return. */
  played?: () => Segment[]
  giveBack?: (segments: Segment[]) => void
  everyMs: number
  deviceId?: string
  now?: () => number
  hidden?: () => boolean
}

export interface ReporterState {
  served_seconds: number
  needed_seconds: number
  ready: boolean
  /** A check is waiting for its answer: the server counts nothing until then. */
  paused: boolean
  check: Check | null
  /** The last report did not arrive (offline): its time goes with the next one. */
  failed: boolean
  reports: number
}

export class StudyReporter {
  readonly state: ReporterState
  private visibleSince: number | null = null
  private visibleMs = 0
  private answer: CheckAnswer | null = null
  private lastPosition: string
  private timer: ReturnType<typeof setTimeout> | null = null
  private inFlight: Promise<void> | null = null
  private again = false
  private stopped = false
  private readonly now: () => number
  private readonly hidden: () => boolean

  constructor(
    private readonly deps: ReporterDeps,
    initial: { served_seconds: number; needed_seconds: number; position: string },
  ) {
    this.now = deps.now ?? (() => Date.now())
    this.hidden = deps.hidden ?? (() => document.visibilityState === 'hidden')
    this.lastPosition = initial.position
    this.state = reactive({
      served_seconds: initial.served_seconds,
      needed_seconds: initial.needed_seconds,
      ready: initial.served_seconds >= initial.needed_seconds,
      paused: false,
      check: null,
      failed: false,
      reports: 0,
    })
  }

  start(): void {
    this.stopped = false
    if (!this.hidden()) this.visibleSince = this.now()
    this.schedule()
  }

  /** visibilitychange: hidden → report what was seen, at once, and stop the clock. */
  visibility(): void {
    if (this.hidden()) {
      void this.flush(true)
      return
    }
    if (this.visibleSince === null) this.visibleSince = this.now()
    this.schedule()
  }

  /** pagehide or leaving the lesson: the last report, then nothing more. */
  leave(): Promise<void> {
    const last = this.flush(true)
    this.stopped = true
    this.visibleSince = null
    this.clear()
    return last
  }

  /** The session is over (completed): nothing more to report. */
  stop(): void {
    this.stopped = true
    this.visibleSince = null
    this.visibleMs = 0
    this.clear()
  }

  /** One tap on an option of the check: its answer goes at once, with the time so far. */
  answerCheck(key: string): Promise<void> {
    const check = this.state.check
    if (!check) return Promise.resolve()
    this.answer = { check_id: check.check_id, key }
    this.state.check = null
    return this.flush(false)
  }

  /** Send a report now (the visible time so far; no more often than asked otherwise). */
  flush(keepalive = false): Promise<void> {
    this.bank()
    if (this.inFlight && !keepalive) {
      this.again = true
      return this.inFlight
    }
    const report = this.take()
    if (!report) return this.inFlight ?? Promise.resolve()
    const sending = this.send(report, keepalive)
    if (!keepalive || !this.inFlight) this.inFlight = sending
    return sending
  }

  private async send(report: ProgressReport, keepalive: boolean): Promise<void> {
    try {
      this.apply(await this.deps.send(report, keepalive))
    } catch {
      this.visibleMs += report.visible_ms
      if (report.played?.length) this.deps.giveBack?.(report.played)
      if (report.check_answer && !this.answer) this.answer = report.check_answer
      this.state.failed = true
    } finally {
      this.inFlight = null
      this.schedule()
      if (this.again) {
        this.again = false
        void this.flush(false)
      }
    }
  }

  private apply(answer: ProgressAnswer): void {
    this.state.reports += 1
    this.state.failed = false
    this.state.served_seconds = answer.served_seconds
    this.state.needed_seconds = answer.needed_seconds
    this.state.ready = answer.ready
    this.state.paused = answer.paused
    // A check asked now; one still pending stays up (an answer in flight has cleared it).
    if (answer.check) this.state.check = this.answer?.check_id === answer.check.check_id ? null : answer.check
    else if (!answer.paused) this.state.check = null
  }

  /** The report to send, or null when there is nothing new to say. */
  private take(): ProgressReport | null {
    const position = this.deps.position().slice(0, 64)
    const visible_ms = Math.round(this.visibleMs)
    const played = this.deps.played?.() ?? []
    const answer = this.answer
    if (visible_ms === 0 && !played.length && !answer && position === this.lastPosition) return null
    this.visibleMs = 0
    this.answer = null
    this.lastPosition = position
    const report: ProgressReport = { position, visible_ms }
    if (played.length) report.played = played
    if (answer) report.check_answer = answer
    if (this.deps.deviceId) report.device_id = this.deps.deviceId
    return report
  }

  /** Move the visible time so far into the bank; the clock runs on only while visible. */
  private bank(): void {
    const now = this.now()
    if (this.visibleSince !== null) this.visibleMs += Math.max(0, now - this.visibleSince)
    this.visibleSince = this.hidden() || this.stopped ? null : now
  }

  private schedule(): void {
    this.clear()
    if (this.stopped || this.hidden()) return
    this.timer = setTimeout(() => void this.flush(false), this.deps.everyMs)
  }

  private clear(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }
}

const DEVICE_KEY = 'xuefa.device'

/** A random id for this browser, kept: it says "the same phone", never who holds it. */
export function deviceId(): string {
  let id = localStorage.getItem(DEVICE_KEY) ?? ''
  if (!/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
    id = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('')
    localStorage.setItem(DEVICE_KEY, id)
  }
  return id
}

/** The reporter bound to the page: call in a screen's setup; `begin` once the session
 * is open (the reporter starts then), and it listens to visibility and pagehide and sends
 * its last report when the screen goes away. */
export function useStudyReporter() {
  const reporter = shallowRef<StudyReporter | null>(null)
  const onVisibility = () => reporter.value?.visibility()
  const onPageHide = () => void reporter.value?.leave()
  // Back from the browser's page cache (WeChat keeps pages there): study goes on.
  const onPageShow = (event: PageTransitionEvent) => event.persisted && reporter.value?.start()
  document.addEventListener('visibilitychange', onVisibility)
  window.addEventListener('pagehide', onPageHide)
  window.addEventListener('pageshow', onPageShow)
  onBeforeUnmount(() => {
    document.removeEventListener('visibilitychange', onVisibility)
    window.removeEventListener('pagehide', onPageHide)
    window.removeEventListener('pageshow', onPageShow)
    void reporter.value?.leave()
  })
  return {
    reporter,
    begin(deps: ReporterDeps, initial: ConstructorParameters<typeof StudyReporter>[1]): StudyReporter {
      void reporter.value?.leave()
      reporter.value = new StudyReporter(deps, initial)
      reporter.value.start()
      return reporter.value
    },
  }
}
