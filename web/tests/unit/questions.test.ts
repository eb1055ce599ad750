import { describe, expect, it } from 'vitest'
import { cells, parseQuestionCsv } from '../../src/admin/questions'

describe('the question template', () => {
  it('reads quoted cells with commas', () => {
    expect(cells('单选,"甲，乙, 丙",A')).toEqual(['单选', '甲，乙, 丙', 'A'])
  })

  it('turns rows into questions and names the lines it cannot read', () => {
    const csv = [
      '\uFEFF类型,题干,选项A,选项B,选项C,选项D,选项E,选项F,答案,分类',
      '多选,宪法规定的公民权利有（ ）。,选举权,言论自由,纳税,,,,ba,宪法',
      '判断,宪法是根本大法。,正确,错误,,,,,A,',
      '问答,什么是法？,,,,,,,,',
      '单选,只有一个选项,唯一,,,,,,A,',
    ].join('\r\n')
    const { questions, problems } = parseQuestionCsv(csv)
    expect(questions).toHaveLength(2)
    expect(questions[0]).toEqual({
      type: 'multiple',
      stem: '宪法规定的公民权利有（ ）。',
      options: [
        { key: 'A', text: '选举权' },
        { key: 'B', text: '言论自由' },
        { key: 'C', text: '纳税' },
      ],
      answer: ['A', 'B'],
      category: '宪法',
    })
    expect(problems).toEqual(['第 4 行：类型应为 单选、多选 或 判断', '第 5 行：至少需要两个选项'])
  })
})
