/** What the server refuses in a unit's name, said before the request (the server checks
 * again: 1–60 characters after trimming, no control, format or separator characters). */
import { a } from '../shared/messages'

const REFUSED = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}\p{Cn}]/u

export function unitNameProblem(raw: string): string | undefined {
  const name = raw.trim()
  if (!name) return a.overview.nameEmpty
  if ([...name].length > 60) return a.overview.nameTooLong
  if (REFUSED.test(name)) return a.overview.nameControl
  return undefined
}
