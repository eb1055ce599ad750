/** The exam page as the learner uses it, on a fake server: the composables wired to the
 * page (what the browser tests see end to end, here without a stack). */
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { Schemas } from '../../src/api/client'
import ExamPaper from '../../src/learner/views/ExamPaper.vue'
import { t } from '../../src/shared/messages'
import { SERVICES } from '../../src/shared/services'
import { fakeApi, json, refusal, type Answer } from './support/fakeApi'

const dialogs = vi.hoisted(() => ({ shown: [] as string[] }))
vi.mock('vant', async (original) => ({
  ...(await original<typeof import('vant')>()),
  showDialog: async (options: { message: string }) => void dialogs.shown.push(options.message),
  showConfirmDialog: async () => undefined,
  showToast: (text: string) => void dialogs.shown.push(text),
}))

const attempt = (deadline: string): Schemas['Attempt'] =>
  ({
    attempt_no: 1,
    state: 'open',
    started_at: '2026-11-20T10:00:00+08:00',
    deadline,
    questions: ['q1', 'q2'].map((id) => ({
      question_id: id,
      type: 'single',
      stem: `题 ${id}`,
      options: [
        { key: 'A', text: '是' },
        { key: 'B', text: '否' },
      ],
      points: 2,
    })),
    answers: {},
    submitted_at: null,
    score: null,
    review_open: null,
    review_opens_at: null,
  }) as Schemas['Attempt']

async function open(answer: Answer) {
  const { api, sent } = fakeApi(answer)
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/exam/:year/paper/:no', component: ExamPaper, props: { year: 2026, no: 1 } },
      { path: '/exam/:year/attempts/:no', component: { template: '<p>result</p>' } },
      { path: '/exam', component: { template: '<p>exam</p>' } },
    ],
  })
  await router.push('/exam/2026/paper/1')
  const page = mount(ExamPaper, {
    props: { year: 2026, no: 1 },
    global: { plugins: [router], provide: { [SERVICES as symbol]: { api } } },
    attachTo: document.body,
  })
  await flushPromises()
  return { page, sent, router }
}

const HOUR_AHEAD = () => new Date(Date.now() + 3600_000).toISOString()
let mounted: { unmount: () => void } | null = null
beforeEach(() => (dialogs.shown.length = 0))
afterEach(() => mounted?.unmount())

describe('the exam page', () => {
  it('shows the first question and the time left; a choice is saved', async () => {
    const { page, sent } = await open((s) => (s.method === 'GET' ? json(attempt(HOUR_AHEAD())) : json({ answers: {} })))
    mounted = page
    expect(page.get('[data-test=stem]').text()).toBe('题 q1')
    expect(page.get('[data-test=countdown]').text()).toMatch(/^(59:\d{2}|1:00:0\d)$/)
    await page.get('.van-radio').trigger('click')
    await flushPromises()
    expect(sent.filter((s) => s.method === 'PUT').map((s) => s.body)).toEqual([{ answers: { q1: ['A'] } }])
    expect(page.get('[data-test=save-state]').text()).toBe('已保存')
  })

  it('a save refused as closed tells the learner and shows the result', async () => {
    const { page, router } = await open((s) => (s.method === 'GET' ? json(attempt(HOUR_AHEAD())) : refusal('ATTEMPT_CLOSED', 409)))
    mounted = page
    await page.get('.van-radio').trigger('click')
    await flushPromises()
    expect(dialogs.shown).toEqual([t.exam.closedElsewhere])
    expect(router.currentRoute.value.path).toBe('/exam/2026/attempts/1')
  })

  it('at the deadline submits on its own with what was chosen', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    const { page, sent, router } = await open((s) =>
      s.method === 'GET' ? json(attempt(new Date(Date.now() + 1500).toISOString())) : json({ answers: {} }),
    )
    mounted = page
    await page.get('.van-radio').trigger('click')
    await vi.advanceTimersByTimeAsync(3000)
    await flushPromises()
    vi.useRealTimers()
    const submit = sent.find((s) => s.path.endsWith('/submit'))
    expect(submit?.body).toEqual({ answers: { q1: ['A'] } })
    expect(router.currentRoute.value.path).toBe('/exam/2026/attempts/1')
  })
})
