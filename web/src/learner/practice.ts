/** A practice set on the learner's phone (#27): one question at a time, each answered at
 * once; what was answered is kept on this device by set, so that reading the lesson
 * section and coming back (or a reload on a slow network) resumes where the learner was.
 * The server holds the truth: a second answer to a question is told the first outcome. */
import type { RouteLocationRaw } from 'vue-router'
import type { Schemas } from '../api/client'
import { tp } from '../shared/practiceMessages'

export type PracticeSet = Schemas['PracticeSet']
export type PracticeQuestion = Schemas['PracticeQuestion']
/** The feedback, with what the server will soon add: credits for a completed set. */
// A limit the app does not know yet (a newer server) still reads as 'not counted'.
export type Feedback = Omit<Schemas['Feedback'], 'limit'> & { limit?: string | null }
export type Kind = PracticeSet['kind']

export interface SetQuery {
  kind: Kind
  topic?: string
  lesson_id?: string
}

export interface Progress {
  set: PracticeSet
  /** question_id → the learner's keys and the server's feedback */
  answers: Record<string, { chosen: string[]; feedback: Feedback }>
  index: number
}

const PREFIX = 'xuefa.practice.'

export function queryKey(query: SetQuery): string {
  if (query.kind === 'lesson') return `lesson:${query.lesson_id ?? ''}`
  if (query.kind === 'topic') return `topic:${query.topic ?? ''}`
  return 'daily'
}

/** The query of a route's `?kind=…&topic=…&lesson_id=…`; a kind it does not know is daily. */
export function setQuery(raw: Record<string, unknown>): SetQuery {
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined)
  const kind = raw.kind === 'lesson' || raw.kind === 'topic' ? raw.kind : 'daily'
  if (kind === 'lesson') return { kind, lesson_id: text(raw.lesson_id) }
  if (kind === 'topic') return { kind, topic: text(raw.topic) }
  return { kind }
}

export function fresh(set: PracticeSet): Progress {
  return { set, answers: {}, index: 0 }
}

export function kept(query: SetQuery, storage: Storage = sessionStorage): Progress | null {
  try {
    const raw = storage.getItem(PREFIX + queryKey(query))
    const progress = raw ? (JSON.parse(raw) as Progress) : null
    return progress?.set?.set_id ? progress : null
  } catch {
    return null
  }
}

export function keep(query: SetQuery, progress: Progress, storage: Storage = sessionStorage): void {
  try {
    storage.setItem(PREFIX + queryKey(query), JSON.stringify(progress))
  } catch {
    // a full or refused storage only loses the resume, not the answers (the server has them)
  }
}

export function forget(query: SetQuery, storage: Storage = sessionStorage): void {
  storage.removeItem(PREFIX + queryKey(query))
}

/** The progress to go on with: the kept one if it is of this set (the day's set is the
 * same all day) and has not expired, else a fresh one. */
export function resume(set: PracticeSet, previous: Progress | null): Progress {
  return previous && previous.set.set_id === set.set_id ? { ...previous, set } : fresh(set)
}

/** Whether a kept set can still be answered, without asking the server for a new one. */
export function stillOpen(progress: Progress | null, now: number): progress is Progress {
  return !!progress && Date.parse(progress.set.expires_at) > now
}

/** The keys as the server compares them: unique, in the options' order (A, B, C…). */
export function answerKeys(question: PracticeQuestion, chosen: readonly string[]): string[] {
  const order = question.options.map((o) => o.key)
  return order.filter((key) => chosen.includes(key))
}

export function answered(progress: Progress, question: PracticeQuestion): boolean {
  return question.question_id in progress.answers
}

export function record(progress: Progress, question: PracticeQuestion, chosen: string[], feedback: Feedback): Progress {
  return { ...progress, answers: { ...progress.answers, [question.question_id]: { chosen, feedback } } }
}

/** The next question not yet answered after the current one, or null when all are. */
export function nextIndex(progress: Progress): number | null {
  const questions = progress.set.questions
  for (let step = 1; step <= questions.length; step++) {
    const i = (progress.index + step) % questions.length
    if (!(questions[i].question_id in progress.answers)) return i
  }
  return null
}

export interface Summary {
  right: number
  of: number
  done: boolean
  /** the credits note of the answer that completed the set, if the server said */
  reward: string | null
}

export function summary(progress: Progress): Summary {
  const outcomes = Object.values(progress.answers).map((a) => a.feedback)
  const of = progress.set.questions.length
  const done = progress.set.questions.every((q) => q.question_id in progress.answers)
  return {
    right: outcomes.filter((f) => f.correct).length,
    of,
    done,
    reward: outcomes.map(rewardNote).find((note) => note !== null) ?? null,
  }
}

/** 获得 N 积分 (under 本组练习完成) when an answer completed the set and earned credits; a calm word when a
 * daily cap held them back; nothing when the server said nothing. */
export function rewardNote(feedback: Feedback): string | null {
  if (typeof feedback.awarded !== 'number') return null
  if (feedback.awarded > 0) return tp.awarded(feedback.awarded)
  if (!feedback.limit) return null
  return tp.capped[feedback.limit] ?? tp.cappedOther
}

/** The lesson section a question comes from: an article opens at its anchor. */
export function lessonLink(source: Feedback['source']): RouteLocationRaw | null {
  if (!source) return null
  return {
    path: `/study/lesson/${encodeURIComponent(source.lesson_id)}`,
    query: { from: 'practice' },
    hash: source.anchor ? `#${source.anchor}` : '',
  }
}

/** 今天 / 明天 / 12月3日 of a due time, by the Shanghai day. */
export function dueDay(iso: string, now: number): string {
  const day = (ms: number) => Math.floor((ms + 8 * 3600_000) / 86_400_000)
  const at = Date.parse(iso)
  if (Number.isNaN(at)) return iso
  const diff = day(at) - day(now)
  if (diff <= 0) return tp.today
  if (diff === 1) return tp.tomorrow
  const d = new Date(at + 8 * 3600_000)
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日`
}
