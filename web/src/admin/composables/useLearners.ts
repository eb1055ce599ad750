/** The learners screen: a unit's learners in a table (fetched 200 a request, a unit of up
 * to 1,000 shown whole, larger ones paged on), one added by hand, and a CSV imported —
 * at once for a small file, as a job on the server followed to its end for a large one,
 * every line then shown with what became of it. */
import { ElMessage } from 'element-plus'
import { computed, ref, type Ref } from 'vue'
import { ApiError, unwrap, type Api, type Schemas } from '../../api/client'
import { a } from '../../shared/messages'
import { follow, resultRows, type ImportJob, type ResultRow } from '../imports'
import { useAction } from './useAction'

type Learner = Schemas['Learner']
export type Status = Learner['status'] | ''
/** Shown once and never again: a temporary password. */
export interface ShownOnce {
  title: string
  lines: [string, string][]
}

const PAGE = 200
const WHOLE_UNIT = 1000

export function useLearnerTable(api: Api, unitId: () => string) {
  const status = ref<Status>('active')
  const items = ref<Learner[]>([]) as Ref<Learner[]>
  const cursor = ref<string | null>(null)

  const loading = useAction(async (more: boolean = false) => {
    if (!more) {
      items.value = []
      cursor.value = null
    }
    const before = items.value.length
    do {
      const query = { status: status.value || undefined, limit: PAGE, cursor: cursor.value ?? undefined }
      const page = await unwrap(
        api.GET('/roster/units/{unit_id}/learners', { params: { path: { unit_id: unitId() }, query } }),
      )
      items.value = [...items.value, ...page.items]
      cursor.value = page.cursor ?? null
    } while (cursor.value && items.value.length - before < WHOLE_UNIT)
  })
  const load = (more = false) => loading.run(more)

  const adding = ref(false)
  const newLearner = ref({ name: '', phone: '' })
  const created = ref<ShownOnce | null>(null)
  const adder = useAction(async () => {
    const { name, phone } = newLearner.value
    const body = { name: name.trim(), unit_id: unitId(), phone: phone.trim() || null }
    const learner = await unwrap(api.POST('/roster/learners', { body }))
    adding.value = false
    newLearner.value = { name: '', phone: '' }
    created.value = {
      title: a.learners.created,
      lines: [
        [a.learners.name, learner.name],
        [a.learners.studentNo, learner.student_no],
        [a.learners.temporaryPassword, learner.temporary_password],
      ],
    }
    void load()
  })

  return { status, items, cursor, loading: loading.busy, load, adding, newLearner, created, add: adder.run }
}

const LAST_IMPORT = 'xuefa.admin.lastImport'
const STOPPED = new Error('no longer followed')
type Outcome = { state: ImportJob['state']; done: number; total: number; rows: ResultRow[] }

export function useRosterImport(api: Api, after: { created: Ref<ShownOnce | null>; reload: () => unknown }) {
  const importing = ref(false)
  const csvText = ref('')
  const preview = ref<string[][]>([])
  const outcome = ref<Outcome | null>(null)
  const lastImport = ref(localStorage.getItem(LAST_IMPORT))
  let following = 0 // the outcome closed (or another import followed): stop asking

  function read(text: string): void {
    csvText.value = text
    preview.value = text
      .split(/\r?\n/)
      .filter((line) => line.trim())
      .map((line) => line.split(','))
    sender.clear()
  }

  function forget(): void {
    localStorage.removeItem(LAST_IMPORT)
    lastImport.value = null
  }

  const follower = useAction(async (importId: string) => {
    const mine = ++following
    outcome.value = { state: 'running', done: 0, total: 0, rows: [] }
    const ask = () => {
      if (mine !== following) throw STOPPED
      return unwrap(api.GET('/roster/imports/{import_id}', { params: { path: { import_id: importId } } }))
    }
    const seen = (job: ImportJob) => {
      if (outcome.value) Object.assign(outcome.value, { state: job.state, done: job.done, total: job.total })
    }
    try {
      const job = await follow(ask, seen)
      outcome.value = { state: job.state, done: job.done, total: job.total, rows: resultRows(job) }
      void after.reload()
    } catch (caught) {
      if (caught === STOPPED) return
      outcome.value = null
      if (caught instanceof ApiError && caught.status === 404) forget()
      throw caught
    }
  })

  function closeOutcome(): void {
    following++
    outcome.value = null
  }

  const sender = useAction(
    async () => {
      const result = await unwrap(
        api.POST('/roster/learners/import', {
          body: csvText.value as never,
          bodySerializer: (body: unknown) => String(body),
          headers: { 'Content-Type': 'text/csv' },
        }),
      )
      importing.value = false
      if ('import_id' in result) {
        localStorage.setItem(LAST_IMPORT, result.import_id)
        lastImport.value = result.import_id
        void follower.run(result.import_id)
        return
      }
      ElMessage.success(a.learners.imported(result.created.length, result.duplicates.length))
      after.created.value = {
        title: a.learners.created,
        lines: result.created.map((l) => [`${l.name}（${l.student_no}）`, l.temporary_password] as [string, string]),
      }
      void after.reload()
    },
    { word: (failure) => (lineProblems(failure).length ? a.learners.invalidLines(lineProblems(failure).length) : undefined) },
  )

  /** The file's lines the server refused, each with why. */
  const problems = computed(() => (sender.failure.value ? lineProblems(sender.failure.value) : []))

  return {
    importing,
    csvText,
    preview,
    problems,
    outcome,
    lastImport,
    read,
    importNow: () => sender.run(),
    followImport: (id: string) => follower.run(id),
    closeOutcome,
  }
}

function lineProblems(failure: ApiError): { line: number; message: string }[] {
  const errors = failure.details.errors
  return Array.isArray(errors) ? (errors as { line: number; message: string }[]) : []
}
