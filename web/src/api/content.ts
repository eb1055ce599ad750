/** Study content's routes (#26, /work/tools/content-spec.md), typed by hand until the
 * backend's OpenAPI document carries them; then these types become aliases of
 * `schema.d.ts`'s and the calls go through the typed paths. Every call still goes
 * through the app's client (token, refresh-and-retry, timeout, `ApiError`). */
import { unwrap, type Api } from './client'

export type Topic = 'xi_rule_of_law' | 'constitution' | 'legal_system' | 'party_rules' | 'yunnan' | 'seventh_plan'
export const TOPICS: readonly Topic[] = ['xi_rule_of_law', 'constitution', 'legal_system', 'party_rules', 'yunnan', 'seventh_plan']
export type LessonKind = 'article' | 'video' | 'document'
export type LessonState = 'draft' | 'published' | 'retired'

export interface LessonEntry {
  lesson_id: string
  kind: LessonKind
  title: string
  credits: number
  needed_seconds: number
  served_seconds: number
  completed: boolean
}

export interface CourseEntry {
  course_id: string
  title: string
  summary: string
  topic: Topic
  lessons: LessonEntry[]
}

export interface Section {
  anchor: string
  title: string
  level: number
}

export interface Rendition {
  url: string
  height: number
  bitrate_kbps: number
}

export interface Media {
  renditions: Rendition[]
  poster_url: string
  captions: { url: string; lang: string; label: string }[]
  duration_s: number
}

export interface DocumentFile {
  url: string
  pages: number
}

export interface Lesson {
  lesson_id: string
  course_id: string
  kind: LessonKind
  title: string
  credits: number
  needed_seconds: number
  version: number
  sections: Section[]
  body_url?: string | null
  media?: Media | null
  document?: DocumentFile | null
  position: string
  served_seconds: number
  completed: boolean
}

export interface StudyStart {
  session_id: string
  started_at: string
  version: number
  served_seconds: number
  needed_seconds: number
  report_every_s: number
  position: string
}

export type Segment = [number, number]

export interface CheckAnswer {
  check_id: string
  key: string
}

export interface ProgressReport {
  position: string
  visible_ms: number
  played?: Segment[]
  check_answer?: CheckAnswer
  /** This browser's own random id (kept on the device): one device for many learners is
   * a signal of the review list. */
  device_id?: string
}

export interface Check {
  check_id: string
  stem: string
  options: { key: string; text: string }[]
}

export interface ProgressAnswer {
  served_seconds: number
  needed_seconds: number
  ready: boolean
  paused: boolean
  check?: Check | null
}

export interface Completion {
  awarded: number
  capped?: boolean
  limit?: string | null
}

// Authoring (city admin; a county admin for its own subtree when the year allows).

export interface Course {
  course_id: string
  year: number
  title: string
  summary: string
  topic: Topic
  owner_unit_id: string
  order: number
}

export interface LessonMeta {
  lesson_id: string
  course_id: string
  kind: LessonKind | 'task'
  title: string
  credits: number
  needed_seconds: number
  version: number
  state: LessonState
  owner_unit_id: string
}

export interface AuthoredCheck {
  check_id?: string
  stem: string
  options: { key: string; text: string }[]
  answer: string
}

export interface Draft {
  html: string
  sections: Section[]
  checks: AuthoredCheck[]
  media?: Media | null
  document?: DocumentFile | null
}

export interface DraftInput {
  year: number
  body_markdown?: string
  checks: AuthoredCheck[]
  media?: Media | null
  document?: DocumentFile | null
}

export type MediaPurpose = 'video' | 'poster' | 'captions' | 'document'

export interface SingleUpload {
  key: string
  upload: { url: string; method: 'PUT'; headers: Record<string, string> }
}

export interface MultipartUpload {
  key: string
  upload_id: string
  part_size: number
  parts: { part_number: number; url: string }[]
}

export type UploadPlan = SingleUpload | MultipartUpload

export type SignalCode = 'fast_checks' | 'regular_reports' | 'night_study' | 'shared_device'

export interface ReviewEntry {
  student_no: string
  name: string
  unit_id: string
  credits: number
  signals: { code: SignalCode; detail: string }[]
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
  POST<T>(path: string, init?: Init): Promise<Answer<T>>
  PUT<T>(path: string, init?: Init): Promise<Answer<T>>
  PATCH<T>(path: string, init?: Init): Promise<Answer<T>>
}

export function contentApi(api: Api) {
  const raw = api as unknown as Loose
  const lesson = (id: string) => ({ path: { lesson_id: id } })
  return {
    courses: (year: number) =>
      unwrap(raw.GET<{ items: CourseEntry[] }>('/credits/courses', { params: { query: { year } } })),
    lesson: (id: string, year: number) =>
      unwrap(raw.GET<Lesson>('/credits/lessons/{lesson_id}', { params: { ...lesson(id), query: { year } } })),
    study: (id: string) => unwrap(raw.POST<StudyStart>('/credits/lessons/{lesson_id}/study', { params: lesson(id), body: {} })),
    progress: (sessionId: string, body: ProgressReport, keepalive = false) =>
      unwrap(
        raw.POST<ProgressAnswer>('/credits/sessions/{session_id}/progress', {
          params: { path: { session_id: sessionId } },
          body,
          keepalive,
        }),
      ),
    complete: (sessionId: string) =>
      unwrap(raw.POST<Completion>('/credits/sessions/{session_id}/complete', { params: { path: { session_id: sessionId } }, body: {} })),
    abandon: (sessionId: string) =>
      unwrap(raw.POST<unknown>('/credits/sessions/{session_id}/abandon', { params: { path: { session_id: sessionId } } })),

    // authoring
    // The console's list holds drafts and retired lessons too, which the learners'
    // GET /courses leaves out: `GET /credits/lessons?year=` is asked of the backend.
    authoredLessons: (year: number) =>
      unwrap(raw.GET<{ items: LessonMeta[]; courses: Course[] }>('/credits/lessons', { params: { query: { year } } })),
    draft: (id: string, year: number) =>
      unwrap(
        raw.GET<{ lesson_id: string; body_markdown: string; draft: Draft }>('/credits/lessons/{lesson_id}/draft', {
          params: { ...lesson(id), query: { year } },
        }),
      ),
    createCourse: (body: { year: number; title: string; summary: string; topic: Topic }) =>
      unwrap(raw.POST<Course>('/credits/courses', { body })),
    createLesson: (body: { year: number; course_id: string; kind: LessonKind; title: string; credits: number; needed_seconds: number }) =>
      unwrap(raw.POST<LessonMeta>('/credits/lessons', { body })),
    saveDraft: (id: string, body: DraftInput) =>
      unwrap(raw.PUT<{ lesson_id: string; draft: Draft }>('/credits/lessons/{lesson_id}/draft', { params: lesson(id), body })),
    planUpload: (id: string, body: { year: number; purpose: MediaPurpose; filename: string; content_type: string; size: number }) =>
      unwrap(raw.POST<UploadPlan>('/credits/lessons/{lesson_id}/media', { params: lesson(id), body })),
    completeUpload: (id: string, body: { key: string; upload_id: string; parts: { part_number: number; etag: string }[] }) =>
      unwrap(raw.POST<{ key: string; url: string }>('/credits/lessons/{lesson_id}/media/complete', { params: lesson(id), body })),
    publish: (id: string, year: number) =>
      unwrap(raw.POST<{ lesson_id: string; version: number }>('/credits/lessons/{lesson_id}/publish', { params: lesson(id), body: { year } })),
    retire: (id: string, year: number, reason: string) =>
      unwrap(raw.POST<LessonMeta>('/credits/lessons/{lesson_id}/retire', { params: lesson(id), body: { year, reason } })),
    exportReview: (year: number, format: 'csv' | 'xlsx') =>
      unwrap(
        raw.GET<{ format: string; rows: number; url: string; expires_at: string }>('/credits/review/export', {
          params: { query: { year, format } },
        }),
      ),
    review: (year: number, unitId?: string) =>
      unwrap(
        raw.GET<{ items: ReviewEntry[] }>('/credits/review', { params: { query: unitId ? { year, unit_id: unitId } : { year } } }),
      ),
  }
}

export type ContentApi = ReturnType<typeof contentApi>
