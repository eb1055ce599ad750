/** The words of the console's question bank (#27, #28), kept beside messages.ts as the
 * content's are: every word in one place. */
import type { Pool, QuestionType } from '../api/bank'

export const poolName: Record<Pool, string> = { exam: '考试', practice: '练习' }
export const typeName: Record<QuestionType, string> = { single: '单选', multiple: '多选', judge: '判断' }

export const ab = {
  menu: '题库',
  title: '题库',
  intro: '考试题抽入试卷，练习题答后即显示答案与解析。考试开始后考试题不能再修改，可停用；修改与停用几分钟内生效，已发出的试卷不变。',
  pool: '题库',
  topic: '主题',
  type: '类型',
  search: '搜索题干',
  find: '搜索',
  status: '状态',
  live: '在用',
  retired: '已停用',
  all: '全部',
  stem: '题干',
  answer: '答案',
  version: '版本',
  actions: '操作',
  edit: '修改',
  retire: '停用',
  more: '加载更多',
  empty: '没有符合条件的题目',
  template: '下载模板',
  upload: '上传 XLSX',
  export: '导出',
  editTitle: (id: string) => `修改题目 ${id}`,
  option: (key: string) => `选项${key}`,
  explanation: '解析',
  category: '分类',
  difficulty: '难度',
  reason: '修改原因',
  save: '保存为新版本',
  cancel: '取消',
  saved: (version: number) => `已保存为第 ${version} 版`,
  retireAsk: (stem: string) => `停用后，这道题不再抽入试卷，也不再用于练习（已发出的试卷不变）。确定停用“${stem.slice(0, 30)}”？`,
  retiredDone: '已停用',
  imported: (n: number, updated?: number | null, unchanged?: number | null) =>
    `已导入 ${n} 道题` + (updated || unchanged ? `（其中更新 ${updated ?? 0} 道，未变 ${unchanged ?? 0} 道）` : ''),
  refusedTitle: (n: number) => `文件中有 ${n} 处错误，一道题也没有导入。请改正后重新上传：`,
  row: '行',
  column: '列',
  error: '错误',
  windowOpened: '考试已开始：考试题不能再修改（可以停用）',
  changed: '这道题刚被别人改过：请刷新后再改',
}
