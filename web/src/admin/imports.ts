/** A large roster import runs as a job on the server (202 with its `import_id`): the
 * console follows it until it ends and then shows every line of the file — created (with
 * the temporary password), already registered, or refused — in the file's order, ready to
 * print. Small files are answered at once (200) in the same shape, without a job. */
import type { Schemas } from '../api/client'

export type ImportJob = Schemas['ImportJob']

export interface ResultRow {
  line: number
  outcome: 'created' | 'duplicate' | 'error'
  name: string
  student_no: string
  temporary_password: string
  message: string
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Ask for the job until it is no longer running, telling `progress` each answer. */
export async function follow(
  ask: () => Promise<ImportJob>,
  progress: (job: ImportJob) => void,
  wait: (ms: number) => Promise<void> = sleep,
  everyMs = 2000,
): Promise<ImportJob> {
  for (;;) {
    const job = await ask()
    progress(job)
    if (job.state !== 'running') return job
    await wait(everyMs)
  }
}

/** Percent of the file's rows handled so far (0–100). */
export function percent(job: Pick<ImportJob, 'done' | 'total'>): number {
  return job.total ? Math.min(100, Math.floor((job.done * 100) / job.total)) : 100
}

interface Outcomes {
  created: { line: number; name: string; student_no: string; temporary_password?: string | null }[]
  duplicates: { line: number; message: string }[]
  errors: { line: number; message: string }[]
}

/** Every line the server told about, in the file's order. */
export function resultRows(result: Outcomes): ResultRow[] {
  const rows: ResultRow[] = [
    ...result.created.map((c) => ({
      line: c.line,
      outcome: 'created' as const,
      name: c.name,
      student_no: c.student_no,
      temporary_password: c.temporary_password ?? '',
      message: '',
    })),
    ...result.duplicates.map((d) => ({ ...blank(d.line), outcome: 'duplicate' as const, message: d.message })),
    ...result.errors.map((e) => ({ ...blank(e.line), outcome: 'error' as const, message: e.message })),
  ]
  return rows.sort((x, y) => x.line - y.line)
}

function blank(line: number): ResultRow {
  return { line, outcome: 'error', name: '', student_no: '', temporary_password: '', message: '' }
}
