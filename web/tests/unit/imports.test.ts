import { describe, expect, it } from 'vitest'
import { follow, percent, resultRows, type ImportJob } from '../../src/admin/imports'

function job(state: ImportJob['state'], done: number): ImportJob {
  return {
    import_id: 'AAAAAAAAAAAAAAAA',
    state,
    total: 300,
    done,
    started_at: '2026-11-20T10:00:00+08:00',
    expires_at: '2026-11-27T10:00:00+08:00',
    created: [],
    duplicates: [],
    errors: [],
  }
}

describe('following an import job', () => {
  it('asks until the job has ended, telling each step', async () => {
    const answers = [job('running', 0), job('running', 150), job('done', 300)]
    const seen: number[] = []
    const waits: number[] = []
    const last = await follow(
      async () => answers.shift() as ImportJob,
      (j) => seen.push(j.done),
      async (ms) => {
        waits.push(ms)
      },
      1000,
    )
    expect(last.state).toBe('done')
    expect(seen).toEqual([0, 150, 300])
    expect(waits).toEqual([1000, 1000])
  })

  it('shows progress as a percentage that never passes 100', () => {
    expect(percent({ done: 150, total: 300 })).toBe(50)
    expect(percent({ done: 0, total: 0 })).toBe(100)
    expect(percent({ done: 2, total: 3 })).toBe(66)
  })
})

describe('the printable result', () => {
  it('lists every line in the file order with what became of it', () => {
    const rows = resultRows({
      created: [
        { line: 4, name: '李四', student_no: '530402000032', temporary_password: 'Abcdefgh2345' },
        { line: 2, name: '张三', student_no: '530402000031', temporary_password: 'Bcdefghj3456' },
      ],
      duplicates: [{ line: 3, message: '王五 is already registered' }],
      errors: [{ line: 5, message: 'not imported (an internal error): import this line again' }],
    })
    expect(rows.map((r) => [r.line, r.outcome])).toEqual([
      [2, 'created'],
      [3, 'duplicate'],
      [4, 'created'],
      [5, 'error'],
    ])
    expect(rows[0]).toMatchObject({ name: '张三', student_no: '530402000031', temporary_password: 'Bcdefghj3456' })
    expect(rows[3].message).toContain('import this line again')
  })
})
