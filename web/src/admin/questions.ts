/** The question template an office keeps in Excel, saved as CSV: 类型,题干,选项A…选项F,答案,分类
 * (类型 单选/多选/判断; 答案 the option letters, e.g. "AC"). Parsed here for a preview; the
 * server validates every question again and names the ones it refuses. */

export interface DraftQuestion {
  type: 'single' | 'multiple' | 'judge'
  stem: string
  options: { key: string; text: string }[]
  answer: string[]
  category?: string
}

const TYPES: Record<string, DraftQuestion['type']> = {
  单选: 'single',
  单选题: 'single',
  single: 'single',
  多选: 'multiple',
  多选题: 'multiple',
  multiple: 'multiple',
  判断: 'judge',
  判断题: 'judge',
  judge: 'judge',
}

/** One CSV line into cells: quotes may hold commas and doubled quotes. */
export function cells(line: string): string[] {
  const out: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (quoted && c === '"' && line[i + 1] === '"') {
      cell += '"'
      i++
    } else if (c === '"') {
      quoted = !quoted
    } else if (c === ',' && !quoted) {
      out.push(cell)
      cell = ''
    } else {
      cell += c
    }
  }
  out.push(cell)
  return out.map((x) => x.trim())
}

export function parseQuestionCsv(text: string): { questions: DraftQuestion[]; problems: string[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim())
  const questions: DraftQuestion[] = []
  const problems: string[] = []
  for (const [index, line] of lines.slice(1).entries()) {
    const row = cells(line)
    const number = index + 2
    const type = TYPES[row[0] ?? '']
    const options = row
      .slice(2, 8)
      .map((text, i) => ({ key: 'ABCDEF'[i]!, text }))
      .filter((o) => o.text)
    const answer = (row[8] ?? '').toUpperCase().replace(/[^A-F]/g, '').split('').sort()
    if (!type) problems.push(`第 ${number} 行：类型应为 单选、多选 或 判断`)
    else if (!row[1]) problems.push(`第 ${number} 行：题干为空`)
    else if (options.length < 2) problems.push(`第 ${number} 行：至少需要两个选项`)
    else if (!answer.length) problems.push(`第 ${number} 行：答案为空`)
    else questions.push({ type, stem: row[1], options, answer, ...(row[9] ? { category: row[9] } : {}) })
  }
  return { questions, problems }
}
