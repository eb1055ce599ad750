/** A practice set as the learner uses it, on a fake server (#27): each answer's feedback
 * at once, the keys sent as the server compares them, the summary, the resume. */
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { Schemas } from '../../src/api/client'
import PracticeSet from '../../src/learner/views/PracticeSet.vue'
import { SERVICES } from '../../src/shared/services'
import { fakeApi, json, refusal, type Answer } from './support/fakeApi'

const toasts = vi.hoisted(() => [] as string[])
vi.mock('vant', async (original) => ({
  ...(await original<typeof import('vant')>()),
  showToast: (text: string) => void toasts.push(text),
}))

const SET: Schemas['PracticeSet'] = {
  set_id: 'p0123456789abcdef0123',
  kind: 'topic',
  year: 2026,
  expires_at: '2999-01-01T00:00:00+08:00',
  questions: [
    {
      question_id: 'q1',
      type: 'multiple',
      stem: '多选题干',
      options: ['A', 'B', 'C', 'D'].map((key) => ({ key, text: `选项${key}` })),
    },
    { question_id: 'q2', type: 'judge', stem: '判断题干', options: [{ key: 'T', text: '正确' }, { key: 'F', text: '错误' }] },
  ],
}
const feedback = (correct: boolean, more: Record<string, unknown> = {}) => ({
  correct,
  key: correct ? ['T'] : ['B', 'C'],
  explanation: correct ? '判断解析' : '多选解析',
  source: correct ? null : { lesson_id: 'c-xf-01', anchor: 'art-5' },
  answered: correct ? 2 : 1,
  of: 2,
  repeated: false,
  ...more,
})

const server: Answer = (s) => {
  if (s.method === 'GET') return json(SET)
  const body = s.body as { question_id: string }
  return json(body.question_id === 'q1' ? feedback(false) : feedback(true, { awarded: 10, limit: null }))
}

async function open(answer: Answer, at = '/study/practice/set?kind=topic&topic=constitution') {
  const { api, sent } = fakeApi(answer)
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/study/practice/set', component: PracticeSet },
      { path: '/:rest(.*)*', component: { template: '<p>elsewhere</p>' } },
    ],
  })
  await router.push(at)
  const page = mount(PracticeSet, {
    global: { plugins: [router], provide: { [SERVICES as symbol]: { api } } },
    attachTo: document.body,
  })
  await flushPromises()
  mounted = page
  return { page, sent }
}

let mounted: { unmount: () => void } | null = null
beforeEach(() => {
  window.scrollTo = vi.fn() as unknown as typeof window.scrollTo // jsdom has none
  toasts.length = 0
  sessionStorage.clear()
})
afterEach(async () => {
  mounted?.unmount()
  // Vant measures a fixed bar again 100, 200 and 300 ms after mounting, on timers that
  // unmounting leaves: let them run while jsdom's window still exists.
  await new Promise((resolve) => setTimeout(resolve, 350))
})

describe('a practice set', () => {
  it('answers at once, question by question, to the summary with its credits', async () => {
    const { page, sent } = await open(server)
    expect(page.get('[data-test=stem]').text()).toBe('多选题干')
    await page.get('[data-test=submit]').trigger('click')
    expect(toasts).toEqual(['请先选择答案'])
    await page.get('.option[data-key=D]').trigger('click')
    await page.get('.option[data-key=B]').trigger('click')
    await page.get('[data-test=submit]').trigger('click')
    await flushPromises()
    const posted = sent.filter((s) => s.method === 'POST')
    expect(posted.map((s) => [s.path, s.body])).toEqual([
      ['/credits/practice/p0123456789abcdef0123/answers', { question_id: 'q1', answer: ['B', 'D'] }],
    ])
    const shown = page.get('[data-test=feedback]').text()
    expect(shown).toContain('回答错误')
    expect(page.get('[data-test=key]').text()).toBe('B、C')
    expect(page.get('[data-test=explanation]').text()).toBe('多选解析')
    expect(page.get('[data-test=source]').attributes('href')).toBe('/study/lesson/c-xf-01?from=practice#art-5')
    expect(page.find('.option.missed[data-key=D]').exists()).toBe(true)

    await page.get('[data-test=next]').trigger('click')
    await flushPromises()
    expect(page.get('[data-test=stem]').text()).toBe('判断题干')
    await page.get('.option[data-key=T]').trigger('click')
    await page.get('[data-test=submit]').trigger('click')
    await flushPromises()
    expect(page.get('[data-test=feedback]').text()).toContain('回答正确')
    expect(page.get('[data-test=key]').text()).toBe('正确') // a judgement's key in words
    expect(page.get('[data-test=next]').text()).toBe('查看结果')
    await page.get('[data-test=next]').trigger('click')
    await flushPromises()
    const summary = page.get('[data-test=summary]').text()
    expect(summary).toContain('答对 1 题，共 2 题')
    expect(page.get('[data-test=reward]').text()).toBe('获得 10 积分')
  })

  it('comes back to the question left (after reading the lesson) without a new set', async () => {
    const first = await open(server)
    await first.page.get('.option[data-key=A]').trigger('click')
    await first.page.get('[data-test=submit]').trigger('click')
    await flushPromises()
    first.page.unmount()
    const again = await open(server)
    expect(again.sent.filter((s) => s.method === 'GET')).toEqual([]) // the kept set, still open
    expect(again.page.get('[data-test=feedback]').text()).toContain('回答错误')
  })

  it('a lesson without practice questions says so', async () => {
    const { page } = await open(() => refusal('NOT_FOUND', 404), '/study/practice/set?kind=lesson&lesson_id=r-none')
    expect(page.text()).toContain('本课暂时没有练习题')
  })

  it('a set past its time offers a new one', async () => {
    const { page } = await open((s) =>
      s.method === 'GET' ? json(SET) : json({ error: { code: 'CONFLICT', message: 'this practice set has expired: ask for a new one' } }, 409),
    )
    await page.get('.option[data-key=A]').trigger('click')
    await page.get('[data-test=submit]').trigger('click')
    await flushPromises()
    expect(page.text()).toContain('这组练习已过期')
    expect(toasts).toEqual([])
  })
})
