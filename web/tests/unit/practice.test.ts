import { beforeEach, describe, expect, it } from 'vitest'
import {
  answerKeys,
  dueDay,
  forget,
  fresh,
  keep,
  kept,
  lessonLink,
  nextIndex,
  record,
  resume,
  rewardNote,
  setQuery,
  stillOpen,
  summary,
  type Feedback,
  type PracticeSet,
} from '../../src/learner/practice'

const question = (n: number, type: 'single' | 'multiple' | 'judge' = 'single') => ({
  question_id: `p-${n}`,
  type,
  stem: `第${n}题`,
  options: ['A', 'B', 'C', 'D'].map((key) => ({ key, text: `选项${key}` })),
})
const set = (id = 'p0123456789abcdef0123', n = 3): PracticeSet => ({
  set_id: id,
  kind: 'daily',
  year: 2026,
  expires_at: '2026-11-21T00:00:00+08:00',
  questions: Array.from({ length: n }, (_, i) => question(i)),
})
const feedback = (correct: boolean, more: Partial<Feedback> = {}): Feedback => ({
  correct,
  key: ['A'],
  explanation: '解析',
  source: null,
  answered: 1,
  of: 3,
  complete: false,
  awarded: null,
  limit: null,
  repeated: false,
  ...more,
})

describe('a practice set, one question at a time', () => {
  beforeEach(() => sessionStorage.clear())

  it('sends the keys in the options’ order, each once (the server compares lists)', () => {
    expect(answerKeys(question(1, 'multiple'), ['D', 'B', 'B'])).toEqual(['B', 'D'])
    expect(answerKeys(question(1), ['Z'])).toEqual([])
  })

  it('goes to the next unanswered question and knows when the set is done', () => {
    let p = fresh(set())
    p = record(p, p.set.questions[0], ['B'], feedback(false))
    expect(nextIndex(p)).toBe(1)
    p = { ...p, index: 2 }
    p = record(p, p.set.questions[2], ['A'], feedback(true))
    expect(nextIndex(p)).toBe(1) // wraps round to the one left
    expect(summary(p)).toMatchObject({ right: 1, of: 3, done: false })
    p = record({ ...p, index: 1 }, p.set.questions[1], ['A'], feedback(true, { awarded: 20 }))
    expect(nextIndex(p)).toBeNull()
    expect(summary(p)).toEqual({ right: 2, of: 3, done: true, reward: '获得 20 积分' })
  })

  it('words credits, a cap calmly, and nothing when the server says nothing', () => {
    expect(rewardNote(feedback(true))).toBeNull()
    expect(rewardNote(feedback(true, { awarded: null }))).toBeNull()
    expect(rewardNote(feedback(true, { awarded: 5 }))).toBe('获得 5 积分')
    expect(rewardNote(feedback(true, { awarded: 0, limit: 'daily_total' }))).toContain('已达上限')
    expect(rewardNote(feedback(true, { awarded: 0, limit: 'something_new' }))).toContain('没有计入积分')
    expect(rewardNote(feedback(true, { awarded: 0 }))).toBeNull()
  })

  it('resumes a kept set of the same id, and starts afresh on another (a new day)', () => {
    const query = setQuery({ kind: 'daily' })
    const p = record(fresh(set()), set().questions[0], ['B'], feedback(false))
    keep(query, { ...p, index: 0 })
    const back = kept(query)
    expect(resume(set(), back).answers).toHaveProperty('p-0')
    expect(resume(set('pffffffffffffffffffff'), back)).toEqual(fresh(set('pffffffffffffffffffff')))
    forget(query)
    expect(kept(query)).toBeNull()
  })

  it('keeps a set by its query and reuses it only while it lasts', () => {
    const topic = setQuery({ kind: 'topic', topic: 'constitution' })
    const lesson = setQuery({ kind: 'lesson', lesson_id: 'c-xf-01' })
    keep(topic, fresh(set()))
    expect(kept(lesson)).toBeNull()
    expect(stillOpen(kept(topic), Date.parse('2026-11-20T23:59:00+08:00'))).toBe(true)
    expect(stillOpen(kept(topic), Date.parse('2026-11-21T00:00:00+08:00'))).toBe(false)
    sessionStorage.setItem('xuefa.practice.daily', '{not json')
    expect(kept(setQuery({}))).toBeNull()
    expect(setQuery({ kind: 'weekly' })).toEqual({ kind: 'daily' })
  })

  it('links to the lesson section, and back from there', () => {
    expect(lessonLink({ lesson_id: 'c-xf-01', anchor: 'art-5' })).toEqual({
      path: '/study/lesson/c-xf-01',
      query: { from: 'practice' },
      hash: '#art-5',
    })
    expect(lessonLink({ lesson_id: 'v-fz-01', anchor: null })).toMatchObject({ hash: '' })
    expect(lessonLink(null)).toBeNull()
  })

  it('says a due day by the Shanghai day', () => {
    const now = Date.parse('2026-11-20T23:30:00+08:00')
    expect(dueDay('2026-11-20T09:00:00+08:00', now)).toBe('今天')
    expect(dueDay('2026-11-21T00:10:00+08:00', now)).toBe('明天')
    expect(dueDay('2026-11-26T08:00:00+08:00', now)).toBe('11月26日')
  })
})
