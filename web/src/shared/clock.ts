/** The server's time, as the phone cannot be trusted: every API answer's `Date` header
 * tells how far the phone's clock is off, and countdowns use the server's time. */
let offsetMs = 0

export function noteServerDate(header: string | null, receivedAt: number = Date.now()): void {
  if (!header) return
  const server = Date.parse(header)
  if (!Number.isNaN(server)) offsetMs = server - receivedAt
}

export function serverNow(): number {
  return Date.now() + offsetMs
}
