/** The question bank's routes (#27, #28) over the generated types: the city's listing
 * with keys, edits and retirements, and the bank as XLSX (template, import, export). */
import { unwrap, type Api, type Schemas } from './client'

export type BankQuestion = Schemas['BankQuestion']
export type BankPage = Schemas['BankPage']
export type QuestionEdit = Schemas['QuestionEdit']
export type Imported = Schemas['Imported']
export type Pool = BankQuestion['pool']
export type QuestionType = BankQuestion['type']
export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/** A row of a refused workbook: where it is and what is wrong. */
export interface RowError {
  row: number
  column: string
  error: string
}

export interface BankFilter {
  pool: Pool
  topic?: BankQuestion['topic']
  type?: QuestionType
  q?: string
  retired?: 'true' | 'false'
  cursor?: string
}

export function bankApi(api: Api, year: number) {
  const path = { year: String(year) }
  const question = (id: string) => ({ path: { ...path, question_id: id } })
  return {
    list: (filter: BankFilter) => unwrap(api.GET('/exams/{year}/questions', { params: { path, query: filter } })),
    edit: (id: string, body: QuestionEdit) => unwrap(api.PUT('/exams/{year}/questions/{question_id}', { params: question(id), body })),
    retire: (id: string, reason?: string) =>
      unwrap(api.POST('/exams/{year}/questions/{question_id}/retire', { params: question(id), body: { reason: reason ?? null } })),
    template: () => unwrap(api.GET('/exams/{year}/questions/template', { params: { path } })),
    export: (pool?: Pool) => unwrap(api.GET('/exams/{year}/questions/export', { params: { path, query: pool ? { pool } : {} } })),
    importXlsx: (file: Blob) =>
      unwrap(
        api.POST('/exams/{year}/questions/xlsx', {
          params: { path },
          body: file as never,
          bodySerializer: (body: unknown) => body as Blob,
          headers: { 'Content-Type': XLSX },
        }),
      ),
  }
}
