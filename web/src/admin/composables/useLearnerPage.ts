/** A learner's page in the console: who they are and their year at a glance (profile
 * and history, balance, attempts, ledger, archive), and what an admin may do to them —
 * record that they left (with a reason) or came back, move them to another unit, reset
 * their password (the temporary one shown once), fetch a closed year's certificate. */
import { ElMessage } from 'element-plus'
import { ref } from 'vue'
import { unwrap, type Api } from '../../api/client'
import { a } from '../../shared/messages'
import { useLoad } from '../../shared/useLoad'
import { useAction } from './useAction'

export type Status = 'resigned' | 'retired' | 'active'

export function useLearnerPage(api: Api, studentNo: string, year: number, go: (url: string) => void = (url) => window.location.assign(url)) {
  const path = { student_no: studentNo }
  const { data, loading, error, reload } = useLoad(async () => {
    const [learner, balance, archive, ledger, attempts] = await Promise.all([
      unwrap(api.GET('/roster/learners/{student_no}', { params: { path } })),
      unwrap(api.GET('/credits/learners/{student_no}', { params: { path, query: { year } } })),
      unwrap(api.GET('/reports/learners/{student_no}/archive', { params: { path } })),
      unwrap(api.GET('/credits/learners/{student_no}/ledger', { params: { path, query: { year, limit: 20 } } })),
      unwrap(api.GET('/exams/{year}/learners/{student_no}/attempts', { params: { path: { year: String(year), student_no: studentNo } } })),
    ])
    return { learner, balance, archive, ledger: ledger.items, attempts: attempts.items }
  })
  const name = () => data.value?.learner.name ?? studentNo

  /** A passed, closed year's certificate, rendered from the frozen archive. */
  const certificate = useAction(async (closed: number) => {
    const params = { path: { student_no: studentNo, year: String(closed) } }
    go((await unwrap(api.GET('/reports/learners/{student_no}/certificates/{year}', { params }))).url)
  })

  const reason = ref('')
  const statusChange = useAction(
    async (status: Status) => {
      const body = { status, reason: reason.value.trim() || null }
      await unwrap(api.POST('/roster/learners/{student_no}/status', { params: { path }, body }))
      reason.value = ''
      void reload()
    },
    { confirm: (status) => a.learners.statusConfirm(name(), a.learners.statuses[status] ?? status), done: () => a.learners.done },
  )
  /** Leaving needs a reason on the record; coming back does not. */
  function setStatus(status: Status): Promise<unknown> | undefined {
    if (!data.value) return undefined
    if (status !== 'active' && !reason.value.trim()) {
      ElMessage.warning(a.learners.reasonRequired)
      return undefined
    }
    return statusChange.run(status)
  }

  const transferTo = ref<{ id: string; name: string } | null>(null)
  const mover = useAction(
    async (to: { id: string; name: string }) => {
      await unwrap(api.POST('/roster/learners/{student_no}/transfer', { params: { path }, body: { to_unit_id: to.id } }))
      transferTo.value = null
      void reload()
    },
    { confirm: (to) => a.learners.transferConfirm(name(), to.name), done: () => a.learners.done },
  )
  const transfer = () => (data.value && transferTo.value ? mover.run(transferTo.value) : undefined)

  const once = ref<[string, string][] | null>(null)
  const resetter = useAction(
    async () => {
      const answer = await unwrap(api.POST('/roster/learners/{student_no}/password-reset', { params: { path }, body: {} }))
      once.value = [
        [a.learners.studentNo, answer.student_no],
        [a.learners.temporaryPassword, answer.temporary_password],
      ]
    },
    { confirm: () => a.learners.resetConfirm(name()) },
  )
  const reset = () => (data.value ? resetter.run() : undefined)

  return {
    data,
    loading,
    error,
    reload,
    reason,
    transferTo,
    once,
    setStatus,
    transfer,
    reset,
    certificate: certificate.run,
  }
}
