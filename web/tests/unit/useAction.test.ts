import { beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '../../src/api/client'
import { useAction } from '../../src/admin/composables/useAction'
import { errorText } from '../../src/shared/messages'
import { asked, confirming, resetElementPlus, told } from './support/elementPlus'

vi.mock('element-plus', async () => (await import('./support/elementPlus')).elementPlus())
beforeEach(resetElementPlus)

describe('a console action', () => {
  it('is busy while it runs and tells its success', async () => {
    let finish: (n: number) => void = () => {}
    const action = useAction((n: number) => new Promise<number>((r) => (finish = () => r(n * 2))), {
      done: (r) => `done ${r}`,
    })
    const running = action.run(21)
    expect(action.busy.value).toBe(true)
    finish(21)
    expect(await running).toBe(42)
    expect(action.busy.value).toBe(false)
    expect(told.success).toHaveBeenCalledWith('done 42')
  })

  it('refused, tells the contract’s words for the code and answers nothing', async () => {
    const action = useAction(async () => Promise.reject(new ApiError('YEAR_CLOSED', 409, 'closed')))
    expect(await action.run()).toBeUndefined()
    expect(told.error).toHaveBeenCalledWith(errorText('YEAR_CLOSED'))
    expect(action.failure.value?.code).toBe('YEAR_CLOSED')
    expect(action.busy.value).toBe(false)
  })

  it('words the refusals it knows itself, and may keep them on the page instead of a message', async () => {
    const action = useAction(async () => Promise.reject(new ApiError('NOT_FOUND', 404, 'none')), {
      word: (f) => (f.code === 'NOT_FOUND' ? '还没有' : undefined),
      inline: true,
    })
    await action.run()
    expect(action.problem.value).toBe('还没有')
    expect(told.error).not.toHaveBeenCalled()
  })

  it('a bug (not a refusal) is told as an internal error, not swallowed', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    const action = useAction(async () => {
      throw new TypeError('oops')
    })
    await action.run()
    expect(told.error).toHaveBeenCalledWith(errorText('INTERNAL'))
    expect(logged).toHaveBeenCalled()
    logged.mockRestore()
  })

  it('asks first when it must, and cancelled runs nothing', async () => {
    const work = vi.fn(async (who: string) => who)
    const action = useAction(work, { confirm: (who) => `确定 ${who}？` })
    confirming.yes = false
    expect(await action.run('张三')).toBeUndefined()
    expect(asked).toHaveBeenCalledWith('确定 张三？', { type: 'warning' })
    expect(work).not.toHaveBeenCalled()
    confirming.yes = true
    expect(await action.run('张三')).toBe('张三')
  })

  it('forgets the last refusal when run again', async () => {
    let fail = true
    const action = useAction(async () => (fail ? Promise.reject(new ApiError('CONFLICT', 409, 'x')) : 1), { inline: true })
    await action.run()
    expect(action.problem.value).not.toBe('')
    fail = false
    await action.run()
    expect(action.problem.value).toBe('')
    expect(action.failure.value).toBeNull()
  })
})
