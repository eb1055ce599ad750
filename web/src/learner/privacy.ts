// What a learner sees of the administrators who looked at their records, and their data
// as a file to keep (PIPL, #29.4).
import { t } from '../shared/messages'

/** `ledger/2026` → 学分明细（2026年度）; an unknown kind is shown as it came. */
export function whatText(what: string): string {
  const [kind, year] = what.split('/')
  const name = t.me.what[kind] ?? kind
  return year ? `${name}（${year}年度）` : name
}

/** Who looked, in one line: 张三（单位管理员，红塔区司法局）. */
export function whoText(entry: {
  by: string
  by_name?: string | null
  by_level?: string | null
  by_unit_name?: string | null
  by_unit_id: string
}): string {
  const level = entry.by_level ? (t.me.byLevel[entry.by_level] ?? entry.by_level) : ''
  const unit = entry.by_unit_name ?? entry.by_unit_id
  return `${entry.by_name ?? entry.by}（${[level, unit].filter(Boolean).join('，')}）`
}

/** The download's file: its name says whose and when. */
export function dataFile(data: { student_no: string; generated_at: string }): File {
  const day = data.generated_at.slice(0, 10)
  return new File([JSON.stringify(data, null, 2)], `xuefa-${data.student_no}-${day}.json`, {
    type: 'application/json',
  })
}

/** Save a file through a link the browser downloads. */
export function save(file: File): void {
  const url = URL.createObjectURL(file)
  const link = document.createElement('a')
  link.href = url
  link.download = file.name
  link.click()
  URL.revokeObjectURL(url)
}
