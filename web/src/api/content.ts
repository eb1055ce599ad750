/** Study content's routes (#26, /work/tools/content-spec.md) over the generated types;
 * the two the console needs and the backend does not have yet (the authored lessons with
 * their drafts, and a draft's Markdown) typed by hand, marked below. Every call goes
 * through the app's client (token, refresh-and-retry, timeout, `ApiError`). */
import { ApiError, unwrap, type Api, type Schemas } from './client'

export type Topic = 'xi_rule_of_law' | 'constitution' | 'legal_system' | 'party_rules' | 'yunnan' | 'seventh_plan'
export const TOPICS: readonly Topic[] = ['xi_rule_of_law', 'constitution', 'legal_system', 'party_rules', 'yunnan', 'seventh_plan']
export type LessonKind = 'article' | 'video' | 'document'
export type LessonState = 'draft' | 'published' | 'retired'

export type LessonEntry = Schemas['LessonItem']
export type CourseEntry = Schemas['CourseItem']
export type Section = Schemas['SectionView']
export type Rendition = Schemas['Rendition']
export type Media = Schemas['Media']
export type DocumentFile = Schemas['Document']
export type Lesson = Schemas['LessonView']
export type StudyStart = Schemas['Studying']
export type Segment = [number, number]
export type CheckAnswer = Schemas['CheckAnswer']
export type Check = Schemas['AskedCheck']
export type ProgressAnswer = Schemas['ProgressAnswer']
export type Completion = Schemas['Completion']
export type Course = Schemas['Course']
export type LessonMeta = Schemas['Lesson']
export type AuthoredCheck = Schemas['Check']
export type Draft = Schemas['DraftView']
export type DraftInput = Schemas['Draft']
export type MediaPurpose = Schemas['NewUpload']['purpose']
export type UploadPlan = Schemas['Upload']
export type ReviewEntry = Schemas['ReviewItem']
export type SignalCode = ReviewEntry['signals'][number]['code']

/** A report as the reporter builds it: what it has not to say is left out (the server
 * takes absent as none). */
export interface ProgressReport {
  position: string
  visible_ms: number
  played?: Segment[]
  check_answer?: CheckAnswer
  /** This browser's own random id (kept on the device): one device for many learners is
   * a signal of the review list. */
  device_id?: string
}

interface Answer<T> {
  data?: T
  error?: unknown
  response: Response
}
type Init = { params?: { path?: Record<string, string>; query?: Record<string, unknown> }; body?: unknown; keepalive?: boolean }
/** The client seen without its generated path types (these routes are not in them yet). */
interface Loose {
  GET<T>(path: string, init?: Init): Promise<Answer<T>>
}

export function contentApi(api: Api) {
  const raw = api as unknown as Loose
  const lesson = (id: string) => ({ path: { lesson_id: id } })
  const session = (id: string) => ({ path: { session_id: id } })
  return {
    courses: (year: number) => unwrap(api.GET('/credits/courses', { params: { query: { year } } })),
    lesson: (id: string, year: number) => unwrap(api.GET('/credits/lessons/{lesson_id}', { params: { ...lesson(id), query: { year } } })),
    study: (id: string) => unwrap(api.POST('/credits/lessons/{lesson_id}/study', { params: lesson(id), body: {} })),
    progress: (sessionId: string, report: ProgressReport, keepalive = false) =>
      unwrap(
        api.POST('/credits/sessions/{session_id}/progress', {
          params: session(sessionId),
          // absent fields are none to the server; the generated type lists them as nullable
          body: report as Schemas['ProgressReport'],
          keepalive,
        }),
      ),
    complete: (sessionId: string) => unwrap(api.POST('/credits/sessions/{session_id}/complete', { params: session(sessionId), body: {} })),
    abandon: (sessionId: string) => unwrap(api.POST('/credits/sessions/{session_id}/abandon', { params: session(sessionId) })),

    // authoring
    /** Asked of the backend, not there yet: the console's list holds drafts and retired
     * lessons too, which the learners' GET /courses leaves out. */
    authoredLessons: async (year: number): Promise<{ items: LessonMeta[]; courses: Course[] }> => {
      try {
        return await unwrap(raw.GET<{ items: LessonMeta[]; courses: Course[] }>('/credits/lessons', { params: { query: { year } } }))
      } catch (caught) {
        if (!(caught instanceof ApiError) || ![403, 404, 405].includes(caught.status)) throw caught
        // Until then: the published lessons, from the learners' list (version unknown: -1).
        const { items } = await unwrap(api.GET('/credits/courses', { params: { query: { year } } }))
        return {
          courses: items.map((c, order) => ({ ...c, year, owner_unit_id: '', order })),
          items: items.flatMap((c) =>
            c.lessons.map((l) => ({ ...l, year, course_id: c.course_id, version: -1, state: 'published' as const, owner_unit_id: '' })),
          ),
        }
      }
    },
    /** Asked of the backend, not there yet: a draft's Markdown, to edit it again. */
    draft: (id: string, year: number) =>
      unwrap(
        raw.GET<{ lesson_id: string; body_markdown: string; draft: Draft }>('/credits/lessons/{lesson_id}/draft', {
          params: { ...lesson(id), query: { year } },
        }),
      ),
    createCourse: (body: Schemas['NewCourse']) => unwrap(api.POST('/credits/courses', { body })),
    createLesson: (body: Schemas['NewLesson']) => unwrap(api.POST('/credits/lessons', { body })),
    saveDraft: (id: string, body: DraftInput) => unwrap(api.PUT('/credits/lessons/{lesson_id}/draft', { params: lesson(id), body })),
    planUpload: (id: string, body: Schemas['NewUpload']) => unwrap(api.POST('/credits/lessons/{lesson_id}/media', { params: lesson(id), body })),
    completeUpload: (id: string, body: Schemas['CompleteUpload']) =>
      unwrap(api.POST('/credits/lessons/{lesson_id}/media/complete', { params: lesson(id), body })),
    publish: (id: string, year: number) => unwrap(api.POST('/credits/lessons/{lesson_id}/publish', { params: lesson(id), body: { year } })),
    retire: (id: string, year: number, reason: string) =>
      unwrap(api.POST('/credits/lessons/{lesson_id}/retire', { params: lesson(id), body: { year, reason } })),
    review: (year: number, unitId?: string) =>
      unwrap(api.GET('/credits/review', { params: { query: unitId ? { year, unit_id: unitId } : { year } } })),
    exportReview: (year: number, format: 'csv' | 'xlsx') =>
      unwrap(api.GET('/credits/review/export', { params: { query: { year, format } } })),
  }
}

export type ContentApi = ReturnType<typeof contentApi>
