import { afterEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { ApiError, type Schemas } from '../../src/api/client'
import { useAnswerSheet } from '../../src/learner/composables/useAnswerSheet'
import { fakeApi, json, refusal, settle, type Answer } from './support/fakeApi'

const question = (id: string): Schemas['Question'] => ({
  question_id: id,
  type: 'single',
  stem: `题 ${id}`,
  options: [
    { key: 'A', text: '是' },
    { key: 'B', text: '否' },
  ],
  points: 2,
})

const attempt = (over: Partial<Schemas['Attempt']> = {}): Schemas['Attempt'] =>
  ({
    attempt_no: 1,
    state: 'open',
    started_at: '2026-11-20T10:00:00+08:00',
    deadline: '2026-11-20T11:30:00+08:00',
    questions: ['q1', 'q2', 'q3'].map(question),
    answers: {},
    submitted_at: null,
    score: null,
    review_open: null,
    review_opens_at: null,
    ...over,
  }) as Schemas['Attempt']

const scopes: ReturnType<typeof effectScope>[] = []
afterEach(() => scopes.splice(0).forEach((s) => s.stop()))

/** A sheet on a fake server; `network.up` switches the phone's connection. */
function sheetOn(answer: Answer) {
  const network = { up: true }
  const told = vi.fn()
  const { api, sent } = fakeApi((seen) => {
    if (!network.up) throw new ApiError('NETWORK', 0, 'offline')
    return answer(seen)
  })
  const scope = effectScope()
  scopes.push(scope)
  const sheet = scope.run(() =>
    useAnswerSheet(api, { year: 2026, no: 1 }, { onClosedElsewhere: told, online: () => network.up, events: null }),
  )!
  const saved = () => sent.filter((s) => s.method === 'PUT').map((s) => s.body)
  return { sheet, sent, saved, network, told }
}

describe('an answer as it is chosen', () => {
  it('is saved, shown saving then saved', async () => {
    const { sheet, saved } = sheetOn(() => json({ answers: {} }))
    sheet.choose('q1', ['B'])
    expect(sheet.saves.q1).toBe('saving')
    await settle()
    expect(saved()).toEqual([{ answers: { q1: ['B'] } }])
    expect(sheet.saves.q1).toBe('saved')
  })

  it('goes one request at a time, so a changed mind lands after the first choice', async () => {
    const bodies: unknown[] = []
    let release: () => void = () => {}
    const { sheet } = sheetOn(async (seen) => {
      bodies.push(seen.body)
      if (bodies.length === 1) await new Promise<void>((r) => (release = r))
      return json({ answers: {} })
    })
    sheet.choose('q1', ['A'])
    await settle()
    sheet.choose('q1', ['B'])
    sheet.choose('q2', ['A'])
    await settle()
    expect(bodies).toHaveLength(1) // the second waits for the first
    release()
    await settle(60)
    expect(bodies).toEqual([{ answers: { q1: ['A'] } }, { answers: { q1: ['B'] } }, { answers: { q2: ['A'] } }])
    expect(sheet.saves).toEqual({ q1: 'saved', q2: 'saved' })
  })
})

describe('offline', () => {
  it('keeps choices queued and unsaved, and sends them in order when the phone is back', async () => {
    const { sheet, saved, network } = sheetOn(() => json({ answers: {} }))
    network.up = false
    sheet.choose('q2', ['A'])
    sheet.choose('q1', ['B'])
    sheet.choose('q2', ['B']) // changed while offline: only the newest goes, after q1
    await settle()
    expect(saved()).toEqual([])
    expect(sheet.saves).toEqual({ q2: 'failed', q1: 'failed' })
    expect(sheet.failedSaves.value).toBe(2)
    network.up = true
    sheet.retry() // what the page's `online` listener calls
    await settle(60)
    expect(saved()).toEqual([{ answers: { q1: ['B'] } }, { answers: { q2: ['B'] } }])
    expect(sheet.failedSaves.value).toBe(0)
  })

  it('the online event of the window flushes the queue', async () => {
    const network = { up: false }
    const { api, sent } = fakeApi(() => json({ answers: {} }))
    const scope = effectScope()
    scopes.push(scope)
    const sheet = scope.run(() =>
      useAnswerSheet(api, { year: 2026, no: 1 }, { onClosedElsewhere: () => {}, online: () => network.up }),
    )!
    sheet.choose('q1', ['A'])
    await settle()
    expect(sent).toEqual([])
    network.up = true
    window.dispatchEvent(new Event('online'))
    await settle(40)
    expect(sent.map((s) => s.body)).toEqual([{ answers: { q1: ['A'] } }])
    expect(sheet.saves.q1).toBe('saved')
  })
})

describe('a failed save', () => {
  it('when the network drops mid-way, holds that answer and those behind it until a retry', async () => {
    let calls = 0
    const { sheet, saved, network } = sheetOn(() => {
      calls += 1
      if (calls === 1) throw new ApiError('TIMEOUT', 0, 'slow')
      return json({ answers: {} })
    })
    sheet.choose('q1', ['A'])
    sheet.choose('q2', ['B'])
    await settle(40)
    expect(sheet.saves).toEqual({ q1: 'failed', q2: 'failed' })
    expect(calls).toBe(1) // q2 was not sent past a failure
    network.up = true
    sheet.retry()
    await settle(60)
    expect(saved()).toEqual([{ answers: { q1: ['A'] } }, { answers: { q1: ['A'] } }, { answers: { q2: ['B'] } }])
    expect(sheet.saves).toEqual({ q1: 'saved', q2: 'saved' })
  })

  it('refused by the server is shown unsaved and does not hold the others back', async () => {
    const { sheet, saved } = sheetOn((seen) =>
      JSON.stringify(seen.body).includes('q1') ? refusal('BAD_REQUEST', 400) : json({ answers: {} }),
    )
    sheet.choose('q1', ['A'])
    sheet.choose('q2', ['B'])
    await settle(60)
    expect(saved()).toHaveLength(2)
    expect(sheet.saves).toEqual({ q1: 'failed', q2: 'saved' })
  })
})

describe('the attempt closed elsewhere', () => {
  it('is learnt from a save: told once, and nothing more is saved', async () => {
    const { sheet, saved, told } = sheetOn(() => refusal('ATTEMPT_CLOSED', 409))
    sheet.choose('q1', ['A'])
    sheet.choose('q2', ['A'])
    await settle(60)
    expect(told).toHaveBeenCalledTimes(1)
    expect(sheet.closed.value).toBe(true)
    sheet.choose('q3', ['B'])
    await settle()
    expect(saved()).toEqual([{ answers: { q1: ['A'] } }])
  })

  it('is learnt when the page comes back to the front', async () => {
    const { sheet, told } = sheetOn(() => json(attempt({ state: 'submitted', submitted_at: '2026-11-20T10:40:00+08:00' })))
    await sheet.checkStillOpen()
    expect(told).toHaveBeenCalledTimes(1)
  })

  it('is learnt from a submit refused as closed', async () => {
    const { sheet, told } = sheetOn(() => refusal('ATTEMPT_CLOSED', 409))
    expect(await sheet.submit()).toEqual({ ok: false, code: 'ATTEMPT_CLOSED' })
    expect(told).toHaveBeenCalledTimes(1)
  })

  it('and an attempt already closed when loaded is taken as closed', () => {
    const { sheet } = sheetOn(() => json({}))
    sheet.take(attempt({ state: 'submitted' }))
    expect(sheet.closed.value).toBe(true)
  })
})

describe('the submit', () => {
  it('carries every answer chosen, saved or not, and closes the sheet', async () => {
    const { sheet, sent, network } = sheetOn(() => json({ score: 2 }))
    network.up = false
    sheet.choose('q1', ['B'])
    network.up = true
    expect(await sheet.submit()).toEqual({ ok: true })
    const submit = sent.find((s) => s.path.endsWith('/submit'))
    expect(submit?.body).toEqual({ answers: { q1: ['B'] } })
    expect(sheet.closed.value).toBe(true)
  })

  it('that fails on the network leaves the sheet open to try again', async () => {
    const { sheet, network } = sheetOn(() => json({}))
    network.up = false
    expect(await sheet.submit()).toEqual({ ok: false, code: 'NETWORK' })
    expect(sheet.closed.value).toBe(false)
    expect(sheet.submitting.value).toBe(false)
  })
})

describe('an attempt reopened', () => {
  it('brings back its answers, saved, at the first question unanswered', () => {
    const { sheet } = sheetOn(() => json({}))
    const at = sheet.take(attempt({ answers: { q1: ['A'], q3: ['B', 'Z'] } }))
    expect(at).toBe(1)
    expect(sheet.answers).toEqual({ q1: ['A'], q3: ['B'] })
    expect(sheet.saves).toEqual({ q1: 'saved', q3: 'saved' })
    expect(sheet.unanswered(attempt().questions)).toEqual([2])
  })
})
