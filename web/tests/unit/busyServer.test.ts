/** A busy server on the exam evening (#29): a save or a submit answered 429/503 with
 * `Retry-After` goes again by itself after that wait, with the same answers, only while
 * the attempt's deadline is ahead; past it, the learner is told as before. */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { useAnswerSheet } from '../../src/learner/composables/useAnswerSheet'
import { fakeApi, json, settle, type Answer, type Sent } from './support/fakeApi'

const NOW = Date.parse('2027-06-15T10:00:00+08:00')
const scopes: ReturnType<typeof effectScope>[] = []
afterEach(() => scopes.splice(0).forEach((s) => s.stop()))

function busy(code: 'THROTTLED' | 'UNAVAILABLE', status: number, retryAfter = '2'): Response {
  return new Response(JSON.stringify({ error: { code, message: code } }), {
    status,
    headers: { 'Content-Type': 'application/json', 'Retry-After': retryAfter },
  })
}

/** A sheet whose clock and waits are the test's: `waits` are the sleeps asked for; each
 * moves the clock on by its length and ends at once. */
function sheetOn(answer: Answer, deadlineIn = 30 * 60_000) {
  let clock = NOW
  const waits: number[] = []
  const { api, sent } = fakeApi(answer)
  const scope = effectScope()
  scopes.push(scope)
  const sheet = scope.run(() =>
    useAnswerSheet(api, { year: 2027, no: 1 }, {
      onClosedElsewhere: vi.fn(),
      online: () => true,
      events: null,
      deadline: () => NOW + deadlineIn,
      now: () => clock,
      sleep: async (ms) => {
        waits.push(ms)
        clock += ms
      },
    }),
  )!
  return { sheet, sent, waits }
}

const of = (sent: Sent[], method: string) => sent.filter((s) => s.method === method).map((s) => s.body)

describe('a busy server', () => {
  it('a save answered 503 goes again after Retry-After, the same answer, and is saved', async () => {
    let calls = 0
    const { sheet, sent, waits } = sheetOn(() => (++calls < 3 ? busy('UNAVAILABLE', 503) : json({ answers: {} })))
    sheet.choose('q1', ['B'])
    await settle(80)
    expect(of(sent, 'PUT')).toEqual([1, 2, 3].map(() => ({ answers: { q1: ['B'] } })))
    expect(waits).toEqual([2000, 2000])
    expect(sheet.saves.q1).toBe('saved')
  })

  it('a submit answered 429 goes again after its wait with the same answers, and counts', async () => {
    let submits = 0
    const { sheet, sent, waits } = sheetOn((seen) => {
      if (seen.method === 'PUT') return json({ answers: {} })
      return ++submits === 1 ? busy('THROTTLED', 429, '1') : json({ attempt_no: 1, score: 2 })
    })
    sheet.choose('q1', ['A'])
    sheet.choose('q2', ['B'])
    await settle(60)
    expect(await sheet.submit()).toEqual({ ok: true })
    const bodies = of(sent, 'POST')
    expect(bodies).toHaveLength(2)
    expect(bodies[1]).toEqual(bodies[0])
    expect(bodies[0]).toEqual({ answers: { q1: ['A'], q2: ['B'] } })
    expect(waits).toEqual([1000])
    expect(sheet.closed.value).toBe(true)
  })

  it('is not waited for past the deadline: the learner is told, the answer shown unsaved', async () => {
    const { sheet, sent, waits } = sheetOn(() => busy('UNAVAILABLE', 503, '5'), 3_000)
    sheet.choose('q1', ['A'])
    await settle(40)
    expect(of(sent, 'PUT')).toHaveLength(1)
    expect(waits).toEqual([])
    expect(sheet.saves.q1).toBe('failed')
    expect(await sheet.submit()).toEqual({ ok: false, code: 'UNAVAILABLE' })
    expect(of(sent, 'POST')).toHaveLength(1)
  })

  it('stops trying a submit after a few waits and says so', async () => {
    const { sheet, sent } = sheetOn((seen) => (seen.method === 'PUT' ? json({}) : busy('THROTTLED', 429, '1')))
    expect(await sheet.submit()).toEqual({ ok: false, code: 'THROTTLED' })
    expect(of(sent, 'POST')).toHaveLength(6)
    expect(sheet.closed.value).toBe(false)
  })

  it('a refusal is no busy server: not tried again', async () => {
    const { sheet, sent, waits } = sheetOn(() =>
      json({ error: { code: 'ATTEMPT_LIMIT', message: 'x' } }, 409),
    )
    sheet.choose('q1', ['A'])
    await settle(40)
    expect(of(sent, 'PUT')).toHaveLength(1)
    expect(waits).toEqual([])
  })
})
