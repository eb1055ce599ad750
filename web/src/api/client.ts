/** The typed API client: openapi-fetch over the types generated from our OpenAPI
 * document (`schema.d.ts`, `npm run gen:api`), with the ID token on every request, one
 * refresh-and-retry on a 401, a timeout, and the contract's errors as `ApiError`. */
import createClient, { type Client, type Middleware } from 'openapi-fetch'
import type { Session } from '../auth/session'
import { noteServerDate } from '../shared/clock'
import type { components, paths } from './schema'

export type Schemas = components['schemas']
export type Api = Client<paths>

const TIMEOUT_MS = 20_000

export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
    /** Seconds the server asked to wait before trying again (`Retry-After` of a 429/503). */
    readonly retryAfter: number | null = null,
  ) {
    super(message)
  }
}

/** A fetch that gives up after a while (a slow network must not hang a screen forever)
 * and turns network failures into ApiErrors the screens can word. */
function timedFetch(request: Request): Promise<Response> {
  const signal = AbortSignal.any
    ? AbortSignal.any([request.signal, AbortSignal.timeout(TIMEOUT_MS)])
    : AbortSignal.timeout(TIMEOUT_MS)
  return fetch(new Request(request, { signal })).catch((error: unknown) => {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError'
    throw new ApiError(timedOut ? 'TIMEOUT' : 'NETWORK', 0, String(error))
  })
}

export function makeApi(baseUrl: string, session: Session, onSignedOut: () => void): Api {
  const api = createClient<paths>({ baseUrl, fetch: timedFetch })
  // A copy of each request as sent, so that one refused with 401 can be sent again.
  const copies = new WeakMap<Request, Request>()
  const auth: Middleware = {
    async onRequest({ request }) {
      const token = await session.idToken()
      if (token) request.headers.set('Authorization', token)
      copies.set(request, request.clone())
      return request
    },
    async onResponse({ request, response }) {
      noteServerDate(response.headers.get('Date'))
      const copy = copies.get(request)
      if (response.status !== 401 || !copy) return response
      // The token may have expired while the phone slept: refresh once and try again.
      const fresh = await session.refresh()
      if (!fresh) {
        onSignedOut()
        return response
      }
      copy.headers.set('Authorization', fresh.idToken)
      return timedFetch(copy)
    },
  }
  api.use(auth)
  return api
}

interface Answer<T> {
  data?: T
  error?: unknown
  response: Response
}

/** The data of an answer, or the contract's error as an ApiError. */
export async function unwrap<T>(pending: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await pending
  if (error !== undefined || !response.ok) {
    const body = (error ?? {}) as { error?: { code?: string; message?: string; details?: Record<string, unknown> } }
    const code = body.error?.code ?? (response.status >= 500 ? 'INTERNAL' : 'BAD_REQUEST')
    const wait = Number(response.headers.get('Retry-After'))
    const retryAfter = Number.isFinite(wait) && wait > 0 ? wait : null
    throw new ApiError(code, response.status, body.error?.message ?? response.statusText, body.error?.details, retryAfter)
  }
  return data as T
}
