/** The stretches of a video actually played, from the player's time updates: a jump
 * (a seek, or a script setting currentTime) starts a new stretch, so skipping ahead
 * earns nothing for what was skipped. The server credits only seconds not played before. */
import type { Segment } from '../api/content'

/** Beyond this many seconds between two time updates the play head jumped (updates come
 * about every 0.25 s; a slow phone may stall a little). */
const MAX_STEP_S = 2
const MAX_PAIRS = 50

export function merged(segments: readonly Segment[]): Segment[] {
  const sorted = segments.filter(([a, b]) => b > a).map(([a, b]): Segment => [a, b]).sort((x, y) => x[0] - y[0])
  const out: Segment[] = []
  for (const [a, b] of sorted) {
    const last = out[out.length - 1]
    if (last && a <= last[1]) last[1] = Math.max(last[1], b)
    else out.push([a, b])
  }
  return out
}

/** At most `limit` pairs (the contract's 50): the closest neighbours are joined first,
 * which only ever claims the small gaps between them; the server credits time anyway by
 * the least of the wall clock, the visible time and the newly played seconds. */
function capped(segments: Segment[], limit = MAX_PAIRS): Segment[] {
  const out = segments.map(([a, b]): Segment => [a, b])
  while (out.length > limit) {
    let at = 0
    for (let i = 1; i < out.length - 1; i++) if (out[i + 1][0] - out[i][1] < out[at + 1][0] - out[at][1]) at = i
    out.splice(at, 2, [out[at][0], out[at + 1][1]])
  }
  return out
}

const tenth = (s: number) => Math.round(s * 10) / 10

export class PlayedSegments {
  private done: Segment[] = []
  private current: Segment | null = null

  /** A time update while playing (rate: the playback rate, as 2× plays 2 s a second). */
  played(time: number, rate = 1): void {
    if (this.current && time >= this.current[1] && time - this.current[1] <= MAX_STEP_S * Math.max(1, rate)) {
      this.current[1] = time
      return
    }
    this.pause()
    this.current = [time, time]
  }

  /** The player paused, sought or ended: the stretch so far is closed. */
  pause(): void {
    if (this.current && this.current[1] > this.current[0]) this.done.push(this.current)
    this.current = null
  }

  /** The stretches played since the last take, merged, rounded and capped; the one still
   * playing is cut here and continues from its end. */
  take(): Segment[] {
    const open = this.current
    if (open && open[1] > open[0]) this.done.push([open[0], open[1]])
    if (open) this.current = [open[1], open[1]]
    const out = capped(merged(this.done).map(([a, b]): Segment => [tenth(a), tenth(b)]).filter(([a, b]) => b > a))
    this.done = []
    return out
  }

  /** A report that never arrived: its stretches go with the next one. */
  giveBack(segments: readonly Segment[]): void {
    this.done.push(...segments.map(([a, b]): Segment => [a, b]))
  }
}
