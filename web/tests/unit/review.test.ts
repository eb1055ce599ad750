import { describe, expect, it } from 'vitest'
import { reviewRows, type ReviewedAttempt } from '../../src/learner/review'

const closed: ReviewedAttempt = {
  attempt_no: 1,
  state: 'submitted',
  started_at: '2026-11-20T10:00:00+08:00',
  deadline: '2026-11-20T11:30:00+08:00',
  questions: [
    {
      question_id: 'p1',
      type: 'judge',
      stem: '宪法是国家的根本法。',
      options: [
        { key: 'A', text: '错误' },
        { key: 'B', text: '正确' },
      ],
      points: 2,
    },
    {
      question_id: 'p2',
      type: 'single',
      stem: '一切权力属于（ ）。',
      options: [
        { key: 'A', text: '人民' },
        { key: 'B', text: '政府' },
      ],
      points: 2,
    },
  ],
  answers: { p1: ['A'] },
  submitted_at: '2026-11-20T10:40:00+08:00',
  score: 0,
  correct: null,
  review_open: false,
  review_opens_at: '2026-11-27T01:31:00+08:00',
  review: null,
  graded_score: null,
  corrections: [],
}

const untouched = { voided: false, also_accepted: [], correction_reason: null }

describe('a closed attempt before the key is out', () => {
  it('shows the learner their own answers and nothing of right or wrong', () => {
    const rows = reviewRows(closed)
    expect(rows.map((r) => r.yourAnswer)).toEqual(['A. 错误', ''])
    expect(rows.every((r) => r.correct === undefined && r.key === undefined)).toBe(true)
  })
})

describe('a closed attempt once no one can sit', () => {
  it('shows per question whether it was right, the key with its text and the explanation', () => {
    const rows = reviewRows({
      ...closed,
      review_open: true,
      review: {
        p1: { correct: false, key: ['B'], explanation: '宪法第五条。', bank_question_id: 'q1', ...untouched },
        p2: { correct: false, key: ['A'], explanation: null, bank_question_id: 'q2', ...untouched },
      },
      correct: { p1: false, p2: false },
    })
    expect(rows.map((r) => [r.correct, r.key, r.explanation])).toEqual([
      [false, 'B. 正确', '宪法第五条。'],
      [false, 'A. 人民', undefined],
    ])
  })
})

describe('a closed attempt regraded after the window', () => {
  it('says which question was voided and which answer is accepted too, with the reason', () => {
    const rows = reviewRows({
      ...closed,
      answers: { p1: ['A'], p2: ['B'] },
      review_open: true,
      review: {
        p1: { correct: true, key: ['B'], explanation: null, bank_question_id: 'q1', voided: true, also_accepted: [], correction_reason: '题干有歧义' },
        p2: { correct: true, key: ['A'], explanation: null, bank_question_id: 'q2', voided: false, also_accepted: [['B']], correction_reason: '两者皆可' },
      },
      correct: { p1: true, p2: true },
    })
    expect(rows.map((r) => [r.correct, r.voided, r.alsoAccepted, r.correctionReason])).toEqual([
      [true, true, undefined, '题干有歧义'],
      [true, false, 'B. 政府', '两者皆可'],
    ])
  })
})
