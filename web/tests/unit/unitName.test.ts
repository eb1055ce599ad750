import { describe, expect, it } from 'vitest'
import { unitNameProblem } from '../../src/admin/unitName'

describe('a unit name, checked as the server checks it', () => {
  it('takes any printable name, slashes and brackets included, trimmed', () => {
    expect(unitNameProblem('  法宣科/综合组 [一]  ')).toBeUndefined()
    expect(unitNameProblem('玉'.repeat(60))).toBeUndefined()
  })

  it('refuses an empty name, more than 60 characters, and control characters', () => {
    expect(unitNameProblem('   ')).toBe('请填写单位名称')
    expect(unitNameProblem('玉'.repeat(61))).toBe('单位名称最多 60 个字')
    expect(unitNameProblem('法宣科\n综合组')).toBe('单位名称不能含控制字符或换行')
    expect(unitNameProblem('法宣\u200b科')).toBe('单位名称不能含控制字符或换行')
  })
})
