import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, ref } from 'vue'
import { useLearnerTable, useRosterImport, type ShownOnce } from '../../src/admin/composables/useLearners'
import { a } from '../../src/shared/messages'
import { resetElementPlus, told } from './support/elementPlus'
import { fakeApi, json, refusal, settle, type Answer } from './support/fakeApi'

vi.mock('element-plus', async () => (await import('./support/elementPlus')).elementPlus())

const scopes: ReturnType<typeof effectScope>[] = []
beforeEach(() => {
  resetElementPlus()
  localStorage.clear()
})
afterEach(() => scopes.splice(0).forEach((s) => s.stop()))

function run<T>(use: () => T): T {
  const scope = effectScope()
  scopes.push(scope)
  return scope.run(use)!
}

const learner = (i: number) => ({
  student_no: `5304020${String(i).padStart(5, '0')}`,
  name: `学员${i}`,
  unit_id: 'u1',
  unit_name: '司法局',
  status: 'active',
  phone: null,
  history: [],
})

/** A unit of `size` learners, served `limit` at a time. */
function unitOf(size: number): Answer {
  return (sent) => {
    const query = new URLSearchParams(sent.query)
    const from = Number(query.get('cursor') ?? 0)
    const limit = Number(query.get('limit'))
    const items = Array.from({ length: Math.min(limit, size - from) }, (_, i) => learner(from + i))
    return json({ items, cursor: from + limit < size ? String(from + limit) : null })
  }
}

describe('the learners table', () => {
  it('shows a unit of 300 whole after two requests of 200', async () => {
    const { api, sent } = fakeApi(unitOf(300))
    const table = run(() => useLearnerTable(api, () => 'u1'))
    await table.load()
    expect(table.items.value).toHaveLength(300)
    expect(table.cursor.value).toBeNull()
    expect(sent.map((s) => s.path)).toEqual(['/roster/units/u1/learners', '/roster/units/u1/learners'])
    expect(sent[0]!.query).toContain('status=active')
  })

  it('stops at 1,000 for a larger unit and pages on from there', async () => {
    const { api } = fakeApi(unitOf(1500))
    const table = run(() => useLearnerTable(api, () => 'u1'))
    await table.load()
    expect(table.items.value).toHaveLength(1000)
    expect(table.cursor.value).not.toBeNull()
    await table.load(true)
    expect(table.items.value).toHaveLength(1500)
    expect(new Set(table.items.value.map((l) => l.student_no)).size).toBe(1500)
  })

  it('every status ("") asks without a filter, and a new filter starts the table again', async () => {
    const { api, sent } = fakeApi(unitOf(3))
    const table = run(() => useLearnerTable(api, () => 'u1'))
    await table.load()
    table.status.value = ''
    await table.load()
    expect(table.items.value).toHaveLength(3)
    expect(sent.at(-1)!.query).not.toContain('status')
  })

  it('busy while loading, and a refusal told', async () => {
    const { api } = fakeApi(() => refusal('FORBIDDEN', 403))
    const table = run(() => useLearnerTable(api, () => 'u9'))
    const loading = table.load()
    expect(table.loading.value).toBe(true)
    await loading
    expect(table.loading.value).toBe(false)
    expect(told.error).toHaveBeenCalledOnce()
  })

  it('a learner added shows their temporary password once and the table again', async () => {
    const { api, sent } = fakeApi((s) =>
      s.method === 'POST'
        ? json({ ...learner(7), temporary_password: 'Tmp-1234' }, 201)
        : json({ items: [learner(7)], cursor: null }),
    )
    const table = run(() => useLearnerTable(api, () => 'u1'))
    table.adding.value = true
    table.newLearner.value = { name: ' 学员7 ', phone: '' }
    await table.add()
    await settle()
    expect(sent[0]!.body).toEqual({ name: '学员7', unit_id: 'u1', phone: null })
    expect(table.adding.value).toBe(false)
    expect(table.created.value?.lines).toContainEqual([a.learners.temporaryPassword, 'Tmp-1234'])
    expect(table.items.value).toHaveLength(1)
  })
})

const job = (state: 'running' | 'done', done: number) => ({
  import_id: 'imp-1',
  state,
  total: 2,
  done,
  started_at: '2026-11-20T10:00:00+08:00',
  expires_at: '2026-11-27T10:00:00+08:00',
  created: state === 'done' ? [{ line: 2, name: '甲', student_no: '530402000001', temporary_password: 'P1' }] : [],
  duplicates: [],
  errors: state === 'done' ? [{ line: 1, message: '缺少姓名' }] : [],
})

describe('a roster import', () => {
  const setUp = (answer: Answer) => {
    const { api, sent } = fakeApi(answer)
    const created = ref<ShownOnce | null>(null)
    const reload = vi.fn()
    return { imports: run(() => useRosterImport(api, { created, reload })), sent, created, reload }
  }

  it('previews the file, line by line', () => {
    const { imports } = setUp(() => json({}))
    imports.read('甲,13800000000\r\n\n乙,\n')
    expect(imports.preview.value).toEqual([['甲', '13800000000'], ['乙', '']])
  })

  it('a small file is answered at once: the passwords shown once, the table again', async () => {
    const { imports, sent, created, reload } = setUp(() =>
      json({ created: [{ line: 1, name: '甲', student_no: '530402000001', temporary_password: 'P1' }], duplicates: [], errors: [] }),
    )
    imports.read('甲,\n')
    await imports.importNow()
    expect(sent[0]!.body).toBe('甲,\n') // the file as it is, text/csv
    expect(created.value?.lines).toEqual([['甲（530402000001）', 'P1']])
    expect(told.success).toHaveBeenCalledWith(a.learners.imported(1, 0))
    expect(reload).toHaveBeenCalled()
  })

  it('refused lines are listed with why, and a new file clears them', async () => {
    const { imports } = setUp(() => refusal('BAD_REQUEST', 400, { errors: [{ line: 3, message: '手机号无效' }] }))
    imports.read('x\n')
    await imports.importNow()
    expect(imports.problems.value).toEqual([{ line: 3, message: '手机号无效' }])
    expect(told.error).toHaveBeenCalledWith(a.learners.invalidLines(1))
    imports.read('y\n')
    expect(imports.problems.value).toEqual([])
  })

  it('a large file becomes a job followed to its end, every line then shown', async () => {
    let asks = 0
    const { imports, reload } = setUp((s) => {
      if (s.method === 'POST') return json({ import_id: 'imp-1' }, 202)
      asks += 1
      return json(job('done', 2))
    })
    imports.read('a\nb\n')
    await imports.importNow()
    await settle(40)
    expect(asks).toBe(1)
    expect(imports.lastImport.value).toBe('imp-1')
    expect(localStorage.getItem('xuefa.admin.lastImport')).toBe('imp-1')
    expect(imports.outcome.value?.rows.map((r) => r.outcome)).toEqual(['error', 'created'])
    expect(reload).toHaveBeenCalled()
  })

  it('a job the server no longer knows is forgotten', async () => {
    localStorage.setItem('xuefa.admin.lastImport', 'imp-old')
    const { imports } = setUp(() => refusal('NOT_FOUND', 404))
    expect(imports.lastImport.value).toBe('imp-old')
    await imports.followImport('imp-old')
    expect(imports.lastImport.value).toBeNull()
    expect(localStorage.getItem('xuefa.admin.lastImport')).toBeNull()
    expect(imports.outcome.value).toBeNull()
  })

  it('closing the outcome stops following the job, quietly', async () => {
    vi.useFakeTimers()
    let asks = 0
    const { imports } = setUp(() => {
      asks += 1
      return json(job('running', 1))
    })
    const following = imports.followImport('imp-1')
    await vi.advanceTimersByTimeAsync(2100)
    expect(asks).toBe(2)
    imports.closeOutcome()
    await vi.advanceTimersByTimeAsync(10_000)
    await following
    vi.useRealTimers()
    expect(asks).toBe(2)
    expect(told.error).not.toHaveBeenCalled()
  })
})
