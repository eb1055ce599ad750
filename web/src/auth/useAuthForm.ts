/** What every sign-in form does: one action at a time, its failure in the learner's or
 * admin's words, and the new-password rules checked before anything is sent. */
import { ref } from 'vue'
import { t } from '../shared/messages'
import { AuthError } from './identity'
import { strongEnough } from './pending'

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
