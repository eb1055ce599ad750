import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useLearnerPage } from '../../src/admin/composables/useLearnerPage'
import { a, errorText } from '../../src/shared/messages'
import { asked, confirming, resetElementPlus, told } from './support/elementPlus'
import { fakeApi, json, refusal, settle, type Answer, type Sent } from './support/fakeApi'
import { withSetup } from './support/withSetup'

vi.mock('element-plus', async () => (await import('./support/elementPlus')).elementPlus())

const NO = '530402000005'
const profile = (status = 'active') => ({
  student_no: NO,
  name: '张三',
  unit_id: 'u1',
  unit_name: '司法局',
  status,
  phone: null,
  history: [],
})

/** The five answers a learner's page is drawn from; `also` answers the actions. */
function server(also: (sent: Sent) => Response | undefined = () => undefined, status = 'active'): Answer {
  return (sent) => {
    const acted = also(sent)
    if (acted) return acted
    if (sent.path === `/roster/learners/${NO}`) return json(profile(status))
    if (sent.path === `/credits/learners/${NO}`) return json({ credits: 120, target: 200 })
    if (sent.path.endsWith('/archive')) return json({ items: [] })
    if (sent.path.endsWith('/ledger')) return json({ items: [{ at: '2026-11-20', credits: 20 }], cursor: null })
    if (sent.path.endsWith('/attempts')) return json({ items: [] })
    return refusal('NOT_FOUND', 404)
  }
}

let unmount = () => {}
beforeEach(resetElementPlus)
afterEach(() => unmount())

async function open(answer: Answer) {
  const { api, sent } = fakeApi(answer)
  const went: string[] = []
  const mounted = withSetup(() => useLearnerPage(api, NO, 2026, (url) => went.push(url)))
  unmount = mounted.unmount
  await settle(40)
  return { page: mounted.result, sent, went }
}

describe('a learner’s page', () => {
  it('draws their profile, balance, ledger, attempts and archive, of this year', async () => {
    const { page, sent } = await open(server())
    expect(page.data.value?.learner.name).toBe('张三')
    expect(page.data.value?.ledger).toHaveLength(1)
    expect(sent.filter((s) => s.path.startsWith('/credits')).every((s) => s.query.includes('year=2026'))).toBe(true)
    expect(sent.some((s) => s.path === `/exams/2026/learners/${NO}/attempts`)).toBe(true)
  })

  it('one part refused shows the page’s error', async () => {
    const { page } = await open(server((s) => (s.path.endsWith('/archive') ? refusal('FORBIDDEN', 403) : undefined)))
    expect(page.error.value).toBe('FORBIDDEN')
  })
})

describe('recording that a learner left', () => {
  it('needs a reason, and asks nothing without one', async () => {
    const { page, sent } = await open(server())
    await page.setStatus('resigned')
    expect(told.warning).toHaveBeenCalledWith(a.learners.reasonRequired)
    expect(asked).not.toHaveBeenCalled()
    expect(sent.some((s) => s.method === 'POST')).toBe(false)
  })

  it('asks first, then records it with the reason and draws the page again', async () => {
    let left = false
    const { page, sent } = await open(
      server((s) => {
        if (s.method === 'POST') {
          left = true
          return json(profile('resigned'))
        }
        return s.path === `/roster/learners/${NO}` && left ? json(profile('resigned')) : undefined
      }),
    )
    page.reason.value = ' 调离 '
    await page.setStatus('resigned')
    await settle(40)
    expect(asked).toHaveBeenCalledWith(a.learners.statusConfirm('张三', a.learners.statuses.resigned!), { type: 'warning' })
    expect(sent.find((s) => s.method === 'POST')?.body).toEqual({ status: 'resigned', reason: '调离' })
    expect(told.success).toHaveBeenCalledWith(a.learners.done)
    expect(page.reason.value).toBe('')
    expect(page.data.value?.learner.status).toBe('resigned')
  })

  it('cancelled, changes nothing', async () => {
    const { page, sent } = await open(server())
    page.reason.value = '退休'
    confirming.yes = false
    await page.setStatus('retired')
    expect(sent.some((s) => s.method === 'POST')).toBe(false)
    expect(page.reason.value).toBe('退休')
  })

  it('coming back needs no reason', async () => {
    const { page, sent } = await open(server((s) => (s.method === 'POST' ? json(profile()) : undefined), 'resigned'))
    await page.setStatus('active')
    expect(sent.find((s) => s.method === 'POST')?.body).toEqual({ status: 'active', reason: null })
  })
})

describe('the other actions', () => {
  it('a transfer goes to the unit picked, asked first', async () => {
    const { page, sent } = await open(server((s) => (s.method === 'POST' ? json(profile()) : undefined)))
    await page.transfer() // none picked: nothing
    expect(asked).not.toHaveBeenCalled()
    page.transferTo.value = { id: 'u2', name: '财政局' }
    await page.transfer()
    expect(asked).toHaveBeenCalledWith(a.learners.transferConfirm('张三', '财政局'), { type: 'warning' })
    expect(sent.find((s) => s.path.endsWith('/transfer'))?.body).toEqual({ to_unit_id: 'u2' })
    expect(page.transferTo.value).toBeNull()
  })

  it('a password reset shows the temporary password once', async () => {
    const { page } = await open(
      server((s) => (s.path.endsWith('/password-reset') ? json({ student_no: NO, temporary_password: 'Tmp-9' }) : undefined)),
    )
    await page.reset()
    expect(page.once.value).toEqual([
      [a.learners.studentNo, NO],
      [a.learners.temporaryPassword, 'Tmp-9'],
    ])
  })

  it('a closed year’s certificate is fetched; one refused is told', async () => {
    const { page, went } = await open(
      server((s) =>
        s.path.endsWith('/certificates/2017')
          ? json({ url: 'https://files.test/2017.pdf' })
          : s.path.includes('/certificates/')
            ? refusal('NOT_FOUND', 404)
            : undefined,
      ),
    )
    await page.certificate(2017)
    expect(went).toEqual(['https://files.test/2017.pdf'])
    await page.certificate(2018)
    expect(told.error).toHaveBeenCalledWith(errorText('NOT_FOUND'))
  })
})
