/** Numbers and times as learners read them. */

/** Two decimals, truncated (never rounded up across the pass mark), as the server shows. */
export function score(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—'
  const truncated = Math.trunc(Math.round(value * 1e6) / 1e4) / 100
  return truncated.toFixed(2)
}

const DAY_MS = 86_400_000

/** Whole days from `now` until `closesAt` (the window's exclusive end), counting today. */
export function daysLeft(closesAt: string, now: number): number {
  const left = Date.parse(closesAt) - now
  return left <= 0 ? 0 : Math.ceil(left / DAY_MS)
}

/** Credits a day still needed to reach the target by the window's close. */
export function perDayNeeded(target: number, credits: number, days: number): number {
  const missing = Math.max(0, target - credits)
  if (missing === 0) return 0
  return days <= 0 ? missing : Math.ceil(missing / days)
}

/** mm:ss or h:mm:ss */
export function clock(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  const mm = String(m).padStart(2, '0')
  const ss = String(s).padStart(2, '0')
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`
}

/** 2026-11-20T10:00:00+08:00 → 11月20日 10:00 (Asia/Shanghai, as the server states it) */
export function when(iso: string | null | undefined, withYear = false): string {
  if (!iso) return '—'
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso)
  if (!m) return iso
  const [, y, mo, d, h, mi] = m
  const day = `${Number(mo)}月${Number(d)}日`
  return `${withYear ? `${y}年` : ''}${day} ${h}:${mi}`
}

/** A window's close is exclusive (1 Oct 00:00 means "until 30 Sep 24:00"): show the last day. */
export function lastDay(closesAt: string): string {
  const last = new Date(Date.parse(closesAt) - 1 + 8 * 3600_000)
  return `${last.getUTCFullYear()}年${last.getUTCMonth() + 1}月${last.getUTCDate()}日`
}

export function firstDay(opensAt: string): string {
  const first = new Date(Date.parse(opensAt) + 8 * 3600_000)
  return `${first.getUTCFullYear()}年${first.getUTCMonth() + 1}月${first.getUTCDate()}日`
}

/** The study year of an instant: 1 December starts the next year (Asia/Shanghai). */
export function studyYearOf(epochMs: number): number {
  const d = new Date(epochMs + 8 * 3600_000)
  return d.getUTCMonth() === 11 ? d.getUTCFullYear() + 1 : d.getUTCFullYear()
}
