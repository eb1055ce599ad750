import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ProgressAnswer, ProgressReport } from '../../src/api/content'
import { PlayedSegments, merged } from '../../src/learner/segments'
import { StudyReporter } from '../../src/learner/useStudyReporter'

const EVERY_MS = 300_000
const check = { check_id: 'k1', stem: '宪法规定国家的根本制度是？', options: [{ key: 'A', text: '社会主义制度' }, { key: 'B', text: '市场经济' }] }

/** A reporter over a fake server that credits what it is told (the server's rule is
 * tested on the server), a page whose visibility the test sets, and fake timers. */
function setup(answers: Partial<ProgressAnswer>[] = [], extra: { played?: PlayedSegments } = {}) {
  let hidden = false
  let position = 's-1'
  const sent: { report: ProgressReport; keepalive: boolean }[] = []
  let failing = 0
  const send = vi.fn(async (report: ProgressReport, keepalive: boolean) => {
    sent.push({ report, keepalive })
    if (failing > 0 && failing--) throw new Error('offline')
    const next = answers.shift() ?? {}
    return { served_seconds: 0, needed_seconds: 1200, ready: false, paused: false, check: null, ...next }
  })
  const reporter = new StudyReporter(
    {
      send,
      position: () => position,
      played: extra.played ? () => extra.played!.take() : undefined,
      giveBack: extra.played ? (s) => extra.played!.giveBack(s) : undefined,
      everyMs: EVERY_MS,
      hidden: () => hidden,
    },
    { served_seconds: 0, needed_seconds: 1200, position: '' },
  )
  return {
    reporter,
    sent,
    failNext: () => (failing = 1),
    /** The page is hidden already when the lesson opens (opened in a background tab). */
    openedHidden: () => (hidden = true),
    hide: () => {
      hidden = true
      reporter.visibility()
    },
    show: () => {
      hidden = false
      reporter.visibility()
    },
    moveTo: (p: string) => (position = p),
  }
}

describe('the study reporter', () => {
  beforeEach(() => vi.useFakeTimers({ now: new Date('2026-11-20T02:00:00Z') }))
  afterEach(() => vi.useRealTimers())

  it('reports the visible time every report_every_s and no sooner', async () => {
    const { reporter, sent } = setup()
    reporter.start()
    await vi.advanceTimersByTimeAsync(EVERY_MS - 1000)
    expect(sent).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1000)
    expect(sent).toHaveLength(1)
    expect(sent[0].report).toEqual({ position: 's-1', visible_ms: EVERY_MS })
    await vi.advanceTimersByTimeAsync(EVERY_MS)
    expect(sent).toHaveLength(2)
    expect(sent[1].report.visible_ms).toBe(EVERY_MS)
  })

  it('counts nothing while the page is hidden, and reports at once (keepalive) when it is hidden', async () => {
    const { reporter, sent, hide, show } = setup()
    reporter.start()
    await vi.advanceTimersByTimeAsync(60_000)
    hide()
    await vi.advanceTimersByTimeAsync(0)
    expect(sent).toEqual([{ report: { position: 's-1', visible_ms: 60_000 }, keepalive: true }])
    // An hour in the pocket: no report, no time.
    await vi.advanceTimersByTimeAsync(3_600_000)
    expect(sent).toHaveLength(1)
    show()
    await vi.advanceTimersByTimeAsync(EVERY_MS)
    expect(sent).toHaveLength(2)
    expect(sent[1].report.visible_ms).toBe(EVERY_MS)
  })

  it('a page opened hidden reports no visible time at all', async () => {
    const { reporter, sent, openedHidden, moveTo } = setup()
    openedHidden()
    reporter.start()
    await vi.advanceTimersByTimeAsync(EVERY_MS * 3)
    moveTo('s-2')
    await reporter.leave()
    expect(sent).toEqual([{ report: { position: 's-2', visible_ms: 0 }, keepalive: true }])
  })

  it('leaving sends the last report with keepalive, and nothing after', async () => {
    const { reporter, sent } = setup()
    reporter.start()
    await vi.advanceTimersByTimeAsync(42_000)
    await reporter.leave()
    expect(sent).toEqual([{ report: { position: 's-1', visible_ms: 42_000 }, keepalive: true }])
    await vi.advanceTimersByTimeAsync(EVERY_MS * 2)
    expect(sent).toHaveLength(1)
  })

  it('hidden then pagehide sends one report, not two', async () => {
    const { reporter, sent, hide } = setup()
    reporter.start()
    await vi.advanceTimersByTimeAsync(10_000)
    hide()
    await reporter.leave()
    expect(sent).toHaveLength(1)
  })

  it('a report that fails keeps its time for the next one', async () => {
    const { reporter, sent, failNext } = setup()
    failNext()
    reporter.start()
    await vi.advanceTimersByTimeAsync(EVERY_MS)
    expect(reporter.state.failed).toBe(true)
    await vi.advanceTimersByTimeAsync(EVERY_MS)
    expect(sent[1].report.visible_ms).toBe(2 * EVERY_MS)
    expect(reporter.state.failed).toBe(false)
  })

  it('shows a check, pauses, and sends the answer at once with the next report', async () => {
    const { reporter, sent } = setup([
      { served_seconds: 300, paused: true, check },
      { served_seconds: 300, paused: false },
    ])
    reporter.start()
    await vi.advanceTimersByTimeAsync(EVERY_MS)
    expect(reporter.state.check).toEqual(check)
    expect(reporter.state.paused).toBe(true)
    await vi.advanceTimersByTimeAsync(7_000)
    await reporter.answerCheck('A')
    expect(sent).toHaveLength(2)
    expect(sent[1].report).toEqual({ position: 's-1', visible_ms: 7_000, check_answer: { check_id: 'k1', key: 'A' } })
    expect(sent[1].keepalive).toBe(false)
    expect(reporter.state.check).toBeNull()
    expect(reporter.state.paused).toBe(false)
  })

  it('an answer that does not arrive goes again with the next report', async () => {
    const { reporter, sent, failNext } = setup([{ paused: true, check }])
    reporter.start()
    await vi.advanceTimersByTimeAsync(EVERY_MS)
    failNext()
    await reporter.answerCheck('B')
    await vi.advanceTimersByTimeAsync(EVERY_MS)
    expect(sent[2].report.check_answer).toEqual({ check_id: 'k1', key: 'B' })
  })

  it('says when the lesson has had its time', async () => {
    const { reporter } = setup([{ served_seconds: 1200, ready: true }])
    reporter.start()
    await vi.advanceTimersByTimeAsync(EVERY_MS)
    expect(reporter.state.ready).toBe(true)
    expect(reporter.state.served_seconds).toBe(1200)
  })

  it('sends the stretches of video played since the last report', async () => {
    const played = new PlayedSegments()
    const { reporter, sent } = setup([], { played })
    reporter.start()
    for (let t = 0; t <= 30; t += 0.25) played.played(t)
    await reporter.flush()
    expect(sent[0].report.played).toEqual([[0, 30]])
    for (let t = 30; t <= 40; t += 0.25) played.played(t)
    await reporter.flush()
    expect(sent[1].report.played).toEqual([[30, 40]])
  })
})

describe('played stretches', () => {
  it('a skip ahead starts a new stretch: the skipped part is not played', () => {
    const played = new PlayedSegments()
    for (let t = 0; t <= 10; t += 0.25) played.played(t)
    for (let t = 500; t <= 505; t += 0.25) played.played(t)
    expect(played.take()).toEqual([
      [0, 10],
      [500, 505],
    ])
  })

  it('playing a part again is merged, and a stretch lost in a failed report comes back', () => {
    const played = new PlayedSegments()
    for (let t = 0; t <= 20; t += 0.5) played.played(t)
    played.pause()
    for (let t = 5; t <= 25; t += 0.5) played.played(t)
    const first = played.take()
    expect(first).toEqual([[0, 25]])
    played.giveBack(first)
    expect(played.take()).toEqual([[0, 25]])
  })

  it('never sends more than 50 pairs', () => {
    const played = new PlayedSegments()
    for (let i = 0; i < 80; i++) {
      played.played(i * 10)
      played.played(i * 10 + 1)
      played.pause()
    }
    const out = played.take()
    expect(out.length).toBe(50)
    expect(out[0][0]).toBe(0)
    expect(out[49][1]).toBe(791)
  })

  it('merges overlapping stretches', () => {
    expect(merged([[5, 9], [0, 6], [10, 12]])).toEqual([
      [0, 9],
      [10, 12],
    ])
  })
})
