/** What every sign-in form does: one action at a time, its failure in the learner's or
 * admin's words, and the new-password rules checked before anything is sent. */
import { ref } from 'vue'
import { useRouter } from 'vue-router'
import { t } from '../shared/messages'
import { useServices } from '../shared/services'
import { AuthError } from './identity'
import { pendingChallenge, strongEnough } from './pending'

export function passwordProblem(password: string, again: string): string {
  if (!strongEnough(password)) return t.newPassword.weak
  if (password !== again) return t.newPassword.mismatch
  return ''
}

export function useAuthForm() {
  const busy = ref(false)
  const problem = ref('')

  /** Run `action`; a failure becomes `problem` (its kind is returned for the caller). */
  async function run(action: () => Promise<void>): Promise<string | null> {
    problem.value = ''
    busy.value = true
    try {
      await action()
      return null
    } catch (error) {
      const failure = error instanceof AuthError ? error.failure : 'UNKNOWN'
      if (!(error instanceof AuthError)) console.error(error)
      problem.value = t.auth[failure] ?? t.auth.UNKNOWN
      return failure
    } finally {
      busy.value = false
    }
  }

  return { busy, problem, run }
}

/** The first sign-in's new password, for either app: without a pending challenge the
 * screen goes back to sign-in; `submit` answers the failure's kind, if any. */
export function useNewPassword() {
  const { session } = useServices()
  const router = useRouter()
  const password = ref('')
  const again = ref('')
  const { busy, problem, run } = useAuthForm()

  if (!pendingChallenge.session) void router.replace('/login')

  async function submit(): Promise<string | null> {
    problem.value = passwordProblem(password.value, again.value)
    if (problem.value) return null
    return run(async () => {
      const { username, session: challenge } = pendingChallenge
      session.remember(await session.provider.completeNewPassword(username, challenge, password.value))
      pendingChallenge.session = ''
      await router.replace('/')
    })
  }

  return { password, again, busy, problem, submit }
}
