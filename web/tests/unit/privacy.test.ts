import { describe, expect, it } from 'vitest'
import { dataFile, whatText, whoText } from '../../src/learner/privacy'

describe('who looked at my records', () => {
  it('names what was looked at, with its year', () => {
    expect(whatText('ledger/2026')).toBe('学分明细（2026年度）')
    expect(whatText('profile')).toBe('个人信息')
    expect(whatText('something-new')).toBe('something-new')
  })
  it('names who looked by name, level and unit, or by login when the name is gone', () => {
    const entry = { by: 'unit_530402-001', by_name: '红塔区司法局管理员', by_level: 'unit', by_unit_id: '530402-001', by_unit_name: '红塔区司法局' }
    expect(whoText(entry)).toBe('红塔区司法局管理员（单位管理员，红塔区司法局）')
    expect(whoText({ by: 'gone_admin', by_name: null, by_level: null, by_unit_id: '530400', by_unit_name: null })).toBe(
      'gone_admin（530400）',
    )
  })
})

describe('my data as a file', () => {
  it('is the whole JSON, named by student number and day', async () => {
    const data = { student_no: '530402000001', generated_at: '2026-11-20T10:00:00+08:00', ledger: [{ credits: 5 }] }
    const file = dataFile(data)
    expect(file.name).toBe('xuefa-530402000001-2026-11-20.json')
    expect(file.type).toBe('application/json')
    expect(JSON.parse(await file.text())).toEqual(data)
  })
})
