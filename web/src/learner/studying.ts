import { errorText, t } from '../shared/messages'

/** Study sessions open on this device: kept in localStorage so that a reload, a locked
 * phone or a switch of apps comes back to the same session and timer (the server counts
 * from its own `started_at`). A learner has one open (timed) session at a time: a start
 * while another is open (on this device or another) is refused with that one, which the
 * app then resumes. */
export interface OpenSession {
  session_id: string
  resource_id: string
  title: string
  activity: string
  credits: number
  min_seconds: number
  started_at: string
}

const KEY = 'xuefa.open-sessions'

function all(): Record<string, OpenSession> {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? '{}') as Record<string, OpenSession>
  } catch {
    return {}
  }
}

export function openSessions(): OpenSession[] {
  return Object.values(all()).sort((a, b) => a.started_at.localeCompare(b.started_at))
}

export function openSession(id: string): OpenSession | undefined {
  return all()[id]
}

export function keepSession(session: OpenSession): void {
  localStorage.setItem(KEY, JSON.stringify({ ...all(), [session.session_id]: session }))
}

export function dropSession(id: string): void {
  const rest = all()
  delete rest[id]
  localStorage.setItem(KEY, JSON.stringify(rest))
}

/** What a start refused because another session is open says about that one
 * (409 CONFLICT, `details.open_session_id`), with its resource from the catalogue. */
export interface CatalogueEntry {
  resource_id: string
  title: string
  activity: string
  credits: number
}

export function heldSession(
  details: Record<string, unknown> | undefined,
  catalogue: readonly CatalogueEntry[],
  unknownTitle: string,
): OpenSession | null {
  const id = details?.open_session_id
  const startedAt = details?.started_at
  if (typeof id !== 'string' || !id || typeof startedAt !== 'string') return null
  const resourceId = typeof details?.resource_id === 'string' ? details.resource_id : ''
  const resource = catalogue.find((r) => r.resource_id === resourceId)
  return {
    session_id: id,
    resource_id: resourceId,
    title: resource?.title ?? unknownTitle,
    activity: resource?.activity ?? '',
    credits: resource?.credits ?? 0,
    min_seconds: typeof details?.min_seconds === 'number' ? details.min_seconds : 0,
    started_at: startedAt,
  }
}

/** Resume the server's open session: it is the only one that can still complete, so
 * the timed ones this device remembered are forgotten. */
export function resumeSession(session: OpenSession): void {
  const kept = Object.fromEntries(
    Object.entries(all()).filter(([, s]) => s.min_seconds === 0 && s.session_id !== session.session_id),
  )
  localStorage.setItem(KEY, JSON.stringify({ ...kept, [session.session_id]: session }))
}

/** What the learner is told when a completion is refused, and whether this device
 * should forget the session (it can never complete). */
export function completionProblem(code: string, details: Record<string, unknown> = {}): { text: string; forget: boolean } {
  if (code === 'CONFLICT' && details.reason === 'expired') return { text: t.study.expired, forget: true }
  if (code === 'CONFLICT' && details.reason === 'abandoned') return { text: t.study.abandoned, forget: true }
  if (code === 'FORBIDDEN' && details.reason === 'inactive') return { text: t.study.inactive, forget: false }
  return { text: errorText(code), forget: code === 'NOT_FOUND' || code === 'YEAR_CLOSED' || code === 'DUPLICATE' }
}
