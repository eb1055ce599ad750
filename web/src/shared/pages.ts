/** Which app a page path belongs to, where nothing in front of the site can say it.
 * In the China regions CloudFront has no functions: a path that is not a file is answered
 * with the learners' page, which hands `/admin…` to the console with the path it was asked
 * for; the console puts that path back before its router starts. */
export const HANDOVER = 'to'

/** Where the learners' page must send this location instead, if anywhere. */
export function consoleHandover(location: Pick<Location, 'pathname' | 'search' | 'hash'>): string | null {
  if (!location.pathname.startsWith('/admin')) return null
  const asked = location.pathname + location.search + location.hash
  return `/admin.html?${HANDOVER}=${encodeURIComponent(asked)}`
}

/** The console's own path it was handed over with (only ever one under /admin). */
export function handedOver(search: string): string | null {
  const asked = new URLSearchParams(search).get(HANDOVER)
  return asked?.startsWith('/admin') ? asked : null
}
