/** A closed attempt's review as the learner reads it. While anyone can still sit the
 * year's exam the server sends the score and the learner's own answers only, with the
 * moment the key comes out (`review_opens_at`); after it, per question, whether it was
 * right, the key and the explanation where the bank has one. */
import type { components } from '../api/schema'

export type ReviewedAttempt = components['schemas']['Attempt']
export type CorrectionNote = components['schemas']['CorrectionNote']

export interface ReviewRow {
  questionId: string
  number: number
  stem: string
  yourAnswer: string
  /** Only once the review is open. */
  correct?: boolean
  key?: string
  explanation?: string
  /** A correction after the window (#28.2): voided, or other answers accepted too. */
  voided?: boolean
  alsoAccepted?: string
  correctionReason?: string
}

function labelled(labels: string[], options: { key: string; text: string }[]): string {
  return labels
    .map((label) => {
      const text = options.find((o) => o.key === label)?.text
      return text ? `${label}. ${text}` : label
    })
    .join('；')
}

export function reviewRows(attempt: ReviewedAttempt): ReviewRow[] {
  const open = attempt.review_open === true && attempt.review != null
  return attempt.questions.map((q, i) => {
    const given = attempt.answers[q.question_id] ?? []
    const row: ReviewRow = {
      questionId: q.question_id,
      number: i + 1,
      stem: q.stem,
      yourAnswer: labelled(given, q.options),
    }
    const review = open ? attempt.review?.[q.question_id] : undefined
    if (review) {
      row.correct = review.correct
      row.key = labelled(review.key, q.options)
      if (review.explanation) row.explanation = review.explanation
      row.voided = review.voided === true
      const accepted = review.also_accepted ?? []
      if (accepted.length) row.alsoAccepted = accepted.map((labels) => labelled(labels, q.options)).join(' / ')
      if (review.correction_reason) row.correctionReason = review.correction_reason
    }
    return row
  })
}
