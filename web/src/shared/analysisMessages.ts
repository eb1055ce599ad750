/** The words of the item analysis (#28.1), the console's 试题分析. Kept beside
 * messages.ts, as contentMessages.ts is, while that file is being reshaped. */
import type { Schemas } from '../api/client'

type Flag = Schemas['ItemView']['flags'][number]

export const flagName: Record<Flag, string> = {
  too_easy: '过易',
  too_hard: '过难',
  low_discrimination: '区分度低',
  negative_discrimination: '区分度为负',
  unused_option: '有选项无人选',
  key_suspect: '答案有误？',
}

export const aa = {
  menu: '试题分析',
  title: (year: number) => `试题分析 · ${year}年度`,
  year: '年度',
  run: '开始分析',
  rerun: '重新分析',
  refresh: '刷新',
  help: '考试结束（无人还能作答）后，按每位学员的第一次已评分考试统计：通过率、区分度（高低分组各 27%）、点二列相关和各选项选择情况。',
  tooEarly: (when: string) => `考试尚未结束，${when} 之后才能分析`,
  never: '本年度尚未分析',
  running: (done: number, all: number) => `分析中：${done} / ${all} 个部分已完成`,
  generated: (when: string) => `统计于 ${when}`,
  papers: '试卷数',
  mean: '平均分(%)',
  sd: '标准差',
  kr20: 'KR-20 信度',
  distribution: '成绩分布',
  onlyFlagged: '只看有标记的题',
  download: (format: string) => `下载 ${format.toUpperCase()}`,
  columns: {
    question: '题号',
    type: '题型',
    drawn: '抽中',
    facility: '通过率',
    discrimination: '区分度',
    pointBiserial: '点二列',
    options: '选项 全部/高/低',
    flags: '标记',
  },
  typeName: { single: '单选', multiple: '多选', judge: '判断' } as Record<string, string>,
  // Corrections after the window (#28.2)
  correct: '更正',
  corrections: {
    title: '试题更正',
    help: '考试结束后、年度结束前，可以把有问题的题作废（答过的人都得分），或增加一个正确答案（答了它的人得分）。更正后系统重新计分所有答过此题的试卷：成绩只升不降，最高分和年度成绩随之更新，学员能看到更正原因。',
    none: '本年度没有更正',
    action: '更正方式',
    void: '作废',
    voidLong: '作废此题：所有答过的人都得分',
    acceptOf: (keys: string) => `增加答案 ${keys}`,
    acceptLong: '增加一个正确答案',
    answer: '也算正确的答案（题库选项）',
    keyIs: (keys: string) => `题库答案：${keys}`,
    reason: '更正理由',
    by: '更正人 · 时间',
    dialog: (id: string) => `更正试题 ${id}`,
    warning: '更正保存后不能撤销：它只会提高成绩。',
    cancel: '取消',
    save: '保存更正并重新计分',
    made: (n: number) => `已保存第 ${n} 项更正，正在重新计分`,
    closed: '本年度已结束，成绩不能再更改',
    running: (done: number, all: number, raised: number) => `重新计分中：${done} / ${all} 个部分已完成，已提高 ${raised} 份试卷`,
    done: (n: number, raised: number, at: string) => `已按 ${n} 项更正重新计分：${raised} 份试卷成绩提高（${at}）`,
  },
}
