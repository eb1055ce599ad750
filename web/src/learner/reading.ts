/** Reading a lesson: the learner's font size (kept on this device), where in an article
 * the learner is (the section heading last scrolled past, else how far down), and the
 * way back there. The position goes to the server with each report, so another device
 * resumes there too. */

const SCALE_KEY = 'xuefa.reading.scale'
export const MIN_SCALE = 100
export const MAX_SCALE = 150
const STEP = 10

export function readingScale(): number {
  const kept = Number(localStorage.getItem(SCALE_KEY))
  return Number.isFinite(kept) && kept >= MIN_SCALE && kept <= MAX_SCALE ? kept : MIN_SCALE
}

export function keepScale(scale: number, by = 0): number {
  const next = Math.min(MAX_SCALE, Math.max(MIN_SCALE, Math.round((scale + by * STEP) / STEP) * STEP))
  localStorage.setItem(SCALE_KEY, String(next))
  return next
}

/** The anchor of the last heading above the reading line (below the top bars and the
 * headings' scroll margin, so a heading jumped to is the one reported),
 * or, in an article without headings, the fraction scrolled as "0.42". */
export function articlePosition(root: HTMLElement, anchors: readonly string[], scrollTop: number, scrollHeight: number, line = 120): string {
  let current = ''
  for (const anchor of anchors) {
    const el = root.querySelector<HTMLElement>(`#${CSS.escape(anchor)}`)
    if (!el) continue
    if (el.getBoundingClientRect().top <= line) current = anchor
  }
  if (current) return current
  return scrollHeight > 0 ? (Math.round((scrollTop / scrollHeight) * 100) / 100).toFixed(2) : ''
}

/** Back to a position: an anchor's element, or a fraction of the article. */
export function restoreArticle(root: HTMLElement, position: string): boolean {
  if (!position) return false
  if (/^[\d.]+$/.test(position)) {
    const fraction = Math.min(1, Number(position))
    if (!(fraction > 0)) return false
    window.scrollTo({ top: fraction * document.documentElement.scrollHeight })
    return true
  }
  const el = root.querySelector<HTMLElement>(`#${CSS.escape(position)}`)
  if (!el) return false
  el.scrollIntoView({ block: 'start' })
  return true
}

/** mm:ss of a second count, for "resume at 03:20". */
export function mmss(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`
}
