import { describe, expect, it } from 'vitest'
import { AuthError } from '../../src/auth/identity'
import { OwnIdentity, deviceKey, ownFailureOf } from '../../src/auth/own'
import { identityProvider } from '../../src/auth/provider'
import { CognitoIdentity } from '../../src/auth/cognito'

interface Sent {
  url: string
  body: unknown
}

function answer(status: number, body: object, seen: Sent[] = []): typeof fetch {
  return async (input, init) => {
    seen.push({ url: String(input), body: JSON.parse(String(init?.body)) })
    return new Response(JSON.stringify(body), { status })
  }
}

describe('our own identity service', () => {
  it('reads its errors in the learner\'s words, never saying a login is unknown', () => {
    const reason = (r: string) => ({ error: { code: 'X', details: { reason: r } } })
    expect(ownFailureOf(401, reason('wrong_credentials'))).toBe('WRONG_PASSWORD')
    expect(ownFailureOf(403, reason('disabled'))).toBe('DISABLED')
    expect(ownFailureOf(429, reason('locked'))).toBe('TOO_MANY')
    expect(ownFailureOf(401, reason('session_expired'))).toBe('SESSION_EXPIRED')
    expect(ownFailureOf(400, reason('password_policy'))).toBe('PASSWORD_POLICY')
    expect(ownFailureOf(502, {})).toBe('UNKNOWN')
  })

  it('signs in with JSON and keeps the tokens with their expiry', async () => {
    const seen: Sent[] = []
    const body = { id_token: 'i', access_token: 'a', refresh_token: 'r', expires_in: 900 }
    const idp = new OwnIdentity('/identity/', answer(200, body, seen), () => 1000, null)
    expect(await idp.signIn('530402000001', 'Secret-123')).toEqual({
      kind: 'signedIn',
      tokens: { idToken: 'i', accessToken: 'a', refreshToken: 'r', expiresAt: 901_000 },
    })
    expect(seen[0].url).toMatch(/\/identity\/sign-in$/)
    expect(seen[0].body).toEqual({ username: '530402000001', password: 'Secret-123' })
  })

  it('keeps each login\'s device token and sends it with that login\'s next sign-in', async () => {
    const seen: Sent[] = []
    const kept = new Map<string, string>()
    const devices = { getItem: (k: string) => kept.get(k) ?? null, setItem: (k: string, v: string) => void kept.set(k, v) }
    const tokens = { id_token: 'i', access_token: 'a', refresh_token: 'r', expires_in: 900 }
    let next = 0
    const server: typeof fetch = async (input, init) => {
      seen.push({ url: String(input), body: JSON.parse(String(init?.body)) })
      next += 1
      return new Response(JSON.stringify({ ...tokens, device_token: `d${next}` }), { status: 200 })
    }
    const idp = new OwnIdentity('/identity', server, () => 0, devices)
    await idp.signIn('530402000001', 'Secret-123')
    await idp.signIn('530402000001', 'Secret-123')
    await idp.signIn('530402000002', 'Other-123')
    expect(seen.map((s) => (s.body as { device_token?: string }).device_token)).toEqual([undefined, 'd1', undefined])
    expect(kept.get(deviceKey('530402000001'))).toBe('d2') // the renewed one
    expect(kept.get(deviceKey('530402000002'))).toBe('d3')
  })

  it('keeps the device token of a first sign-in too, and signs in where storage is refused', async () => {
    const kept = new Map<string, string>()
    const devices = { getItem: (k: string) => kept.get(k) ?? null, setItem: (k: string, v: string) => void kept.set(k, v) }
    const challenge = { challenge: 'NEW_PASSWORD_REQUIRED', session: 's1', device_token: 'd9' }
    await new OwnIdentity('/identity', answer(200, challenge), () => 0, devices).signIn('530402000003', 'Temp-1234')
    expect(kept.get(deviceKey('530402000003'))).toBe('d9')
    const refusing = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError')
      },
    }
    const idp = new OwnIdentity('/identity', answer(200, { id_token: 'i', access_token: 'a', refresh_token: 'r', device_token: 'd' }), () => 0, refusing)
    expect((await idp.signIn('530402000004', 'Secret-123')).kind).toBe('signedIn')
  })

  it('asks for a new password on the first sign-in', async () => {
    const idp = new OwnIdentity('/identity', answer(200, { challenge: 'NEW_PASSWORD_REQUIRED', session: 's1' }))
    expect(await idp.signIn('530402000001', 'Temp-1234')).toEqual({
      kind: 'newPasswordRequired',
      username: '530402000001',
      session: 's1',
    })
  })

  it('takes the rotated refresh token from a refresh', async () => {
    const body = { id_token: 'i2', access_token: 'a2', refresh_token: 'r2', expires_in: 900 }
    const idp = new OwnIdentity('/identity', answer(200, body), () => 0)
    expect((await idp.refresh('r1')).refreshToken).toBe('r2')
  })

  it('carries on with the tokens a password change answers (other devices are signed out)', async () => {
    const seen: Sent[] = []
    const body = { id_token: 'i3', access_token: 'a3', refresh_token: 'r3', expires_in: 900 }
    const idp = new OwnIdentity('/identity', answer(200, body, seen), () => 0)
    expect(await idp.changePassword('a2', 'Old-Pass-1', 'New-Pass-2')).toMatchObject({ refreshToken: 'r3' })
    expect(seen[0].body).toEqual({ old_password: 'Old-Pass-1', new_password: 'New-Pass-2' })
  })

  it('reports a network failure as such, and a lockout as too many tries', async () => {
    const offline = new OwnIdentity('/identity', async () => {
      throw new TypeError('Failed to fetch')
    })
    await expect(offline.signIn('a', 'b')).rejects.toEqual(new AuthError('NETWORK'))
    const locked = new OwnIdentity('/identity', answer(429, { error: { code: 'THROTTLED', details: { reason: 'locked' } } }))
    await expect(locked.signIn('a', 'b')).rejects.toEqual(new AuthError('TOO_MANY'))
  })

  it('is what the config names; Cognito where the config says so', () => {
    const base = 'https://xuefa.example.cn/'
    expect(identityProvider({ api_base: '', identity: 'own', identity_endpoint: '/identity' }, base)).toBeInstanceOf(OwnIdentity)
    const cognito = { api_base: '', identity: 'cognito' as const, cognito_endpoint: '/cognito/', region: 'x', client_id: 'c' }
    expect(identityProvider(cognito, base)).toBeInstanceOf(CognitoIdentity)
  })
})
