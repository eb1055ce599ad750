/** Study content's routes (#26, /work/tools/content-spec.md) over the generated types.
 * Every call goes through the app's client (token, refresh-and-retry, timeout,
 * `ApiError`). */
import { unwrap, type Api, type Schemas } from './client'

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
export type DraftRead = Schemas['DraftRead']
export type AuthoredLessons = Schemas['AuthoredLessons']
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

export function contentApi(api: Api) {
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
    /** The lessons the admin may edit, drafts and retired ones too, with their courses. */
    authoredLessons: (year: number) => unwrap(api.GET('/credits/lessons', { params: { query: { year } } })),
    /** A draft as its author wrote it (404 before any), to edit it again. */
    draft: (id: string, year: number) => unwrap(api.GET('/credits/lessons/{lesson_id}/draft', { params: { ...lesson(id), query: { year } } })),
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
