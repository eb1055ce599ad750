/** The server's time, as the phone cannot be trusted: every API answer's `Date` header
 * tells how far the phone's clock is off, and countdowns use the server's time. The offset
 * is kept across reloads: a study page reopened from the phone's storage may make no
 * request before its countdown is drawn. */
const KEY = 'xuefa.clockOffsetMs'
let offsetMs = stored()

function stored(): number {
  try {
    const value = Number(globalThis.localStorage?.getItem(KEY) ?? 0)
    return Number.isFinite(value) ? value : 0
  } catch {
    return 0 // storage refused (a private tab): the phone's own clock until an answer comes
  }
}

export function noteServerDate(header: string | null, receivedAt: number = Date.now()): void {
  if (!header) return
  const server = Date.parse(header)
  if (Number.isNaN(server)) return
  offsetMs = server - receivedAt
  try {
    globalThis.localStorage?.setItem(KEY, String(offsetMs))
  } catch {
    // storage refused: the offset holds for this page only
  }
}

export function serverNow(): number {
  return Date.now() + offsetMs
}
