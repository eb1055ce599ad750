/** Study sessions open on this device: kept in localStorage so that a reload, a locked
 * phone or a switch of apps comes back to the same session and timer (the server counts
 * from its own `started_at`). */
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
