/** A typed API client whose server is a function: each request is recorded (method,
 * path, body: JSON parsed, anything else as text) and answered by `answer`, which may throw an ApiError as the real
 * client's fetch does when the network is down. */
import createClient from 'openapi-fetch'
import type { Api } from '../../../src/api/client'
import type { paths } from '../../../src/api/schema'

export interface Sent {
  method: string
  path: string
  query: string
  body: unknown
}

export type Answer = (sent: Sent) => Response | Promise<Response>

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

export function refusal(code: string, status: number, details: Record<string, unknown> = {}): Response {
  return json({ error: { code, message: code, details } }, status)
}

export function fakeApi(answer: Answer): { api: Api; sent: Sent[] } {
  const sent: Sent[] = []
  const fetch = async (request: Request): Promise<Response> => {
    const url = new URL(request.url)
    const text = request.method === 'GET' ? '' : await request.text()
    const isJson = (request.headers.get('Content-Type') ?? '').includes('json')
    const body = !text ? undefined : isJson ? JSON.parse(text) : text
    const seen = { method: request.method, path: url.pathname, query: url.search, body }
    sent.push(seen)
    return answer(seen)
  }
  return { api: createClient<paths>({ baseUrl: 'https://api.test', fetch }), sent }
}

/** Lets every pending promise (and what it awaits) run. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve()
}
