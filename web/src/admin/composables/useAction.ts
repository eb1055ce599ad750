/** One thing an admin does in the console: `busy` while it runs, asked first when it
 * needs confirming (cancelling runs nothing), its success told, and a refusal worded —
 * in this action's own words for the refusals it knows, else the contract's — either as
 * a message (ElMessage) or kept in `problem` for the page to show where it happened. */
import { ElMessage, ElMessageBox } from 'element-plus'
import { ref, shallowRef } from 'vue'
import { ApiError } from '../../api/client'
import { errorText } from '../../shared/messages'

export interface ActionOptions<A extends unknown[], R> {
  /** The question asked first; none (empty) this time runs it straight away. */
  confirm?: (...args: A) => string
  /** Told when it worked. */
  done?: (result: R) => string
  /** This action's words for a refusal; undefined leaves the contract's. */
  word?: (failure: ApiError) => string | undefined
  /** Keep the refusal in `problem` instead of a message. */
  inline?: boolean
}

export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>, options: ActionOptions<A, R> = {}) {
  const busy = ref(false)
  const problem = ref('')
  const failure = shallowRef<ApiError | null>(null)

  function clear(): void {
    problem.value = ''
    failure.value = null
  }

  /** What the action answered, or undefined when cancelled or refused. */
  async function run(...args: A): Promise<R | undefined> {
    const question = options.confirm?.(...args)
    if (question && !(await confirmed(question))) return undefined
    clear()
    busy.value = true
    try {
      const result = await action(...args)
      if (options.done) ElMessage.success(options.done(result))
      return result
    } catch (caught) {
      refused(caught)
      return undefined
    } finally {
      busy.value = false
    }
  }

  function refused(caught: unknown): void {
    const known = asRefusal(caught)
    failure.value = known
    const text = options.word?.(known) ?? errorText(known.code)
    if (options.inline) problem.value = text
    else ElMessage.error(text)
  }

  return { run, busy, problem, failure, clear }
}

async function confirmed(question: string): Promise<boolean> {
  try {
    await ElMessageBox.confirm(question, { type: 'warning' })
    return true
  } catch {
    return false
  }
}

/** A failure as the contract's refusal; a bug (not a refusal) is logged as well. */
function asRefusal(caught: unknown): ApiError {
  if (caught instanceof ApiError) return caught
  console.error(caught)
  return new ApiError('INTERNAL', 0, String(caught))
}

/** A refusal told as a message, for steps of a longer flow that cannot be one action
 * (an upload's parts, a preview saved while typing). */
export function tellRefusal(caught: unknown): void {
  ElMessage.error(errorText(asRefusal(caught).code))
}
