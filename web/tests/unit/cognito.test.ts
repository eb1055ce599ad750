import { describe, expect, it } from 'vitest'
import { CognitoIdentity, failureOf } from '../../src/auth/cognito'
import { AuthError } from '../../src/auth/identity'
import { claimsOf, Session } from '../../src/auth/session'

function answer(status: number, body: object): typeof fetch {
  return async () => new Response(JSON.stringify(body), { status })
}

function token(claims: object): string {
  const part = btoa(unescape(encodeURIComponent(JSON.stringify(claims)))).replace(/=+$/, '')
  return `x.${part}.y`
}

describe('Cognito errors in the learner\'s words', () => {
  it('tells a wrong password from a disabled account, and never says the user is unknown', () => {
    expect(failureOf('NotAuthorizedException', 'Incorrect username or password.')).toBe('WRONG_PASSWORD')
    expect(failureOf('NotAuthorizedException', 'User is disabled.')).toBe('DISABLED')
    expect(failureOf('UserNotFoundException', 'User does not exist.')).toBe('WRONG_PASSWORD')
    expect(failureOf('InvalidPasswordException', 'too short')).toBe('PASSWORD_POLICY')
  })

  it('asks for a new password on the first sign-in', async () => {
    const idp = new CognitoIdentity('/cognito/', 'client', answer(200, { ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: 's1' }))
    expect(await idp.signIn('530402000001', 'Temp-1234')).toEqual({
      kind: 'newPasswordRequired',
      username: '530402000001',
      session: 's1',
    })
  })

  it('reports a network failure as such', async () => {
    const idp = new CognitoIdentity('/cognito/', 'client', async () => {
      throw new TypeError('Failed to fetch')
    })
    await expect(idp.signIn('a', 'b')).rejects.toEqual(new AuthError('NETWORK'))
  })
})

describe('the session', () => {
  const idToken = token({ 'cognito:username': '530402000001', 'cognito:groups': ['learners'], 'custom:unit_id': '530402-001' })

  it('reads the claims the APIs will see, Chinese included', () => {
    expect(claimsOf(token({ 'cognito:username': '张三', 'custom:unit_id': 'u' })).username).toBe('张三')
    expect(claimsOf(idToken)).toEqual({ username: '530402000001', groups: ['learners'], unitId: '530402-001' })
  })

  it('refreshes the ID token before it expires, once for many callers', async () => {
    let now = 0
    let refreshes = 0
    const fresh = token({ 'cognito:username': '530402000001', 'custom:unit_id': '530402-001', n: 2 })
    const provider = {
      refresh: async () => {
        refreshes += 1
        return { idToken: fresh, accessToken: 'a', refreshToken: 'r', expiresAt: now + 3_600_000 }
      },
    } as unknown as CognitoIdentity
    const session = new Session(provider, localStorage, () => now)
    session.remember({ idToken, accessToken: 'a', refreshToken: 'r', expiresAt: 3_600_000 })
    expect(await session.idToken()).toBe(idToken)
    now = 3_600_000 - 60_000 // a minute before expiry, in the middle of an exam
    const tokens = await Promise.all([session.idToken(), session.idToken(), session.idToken()])
    expect(tokens).toEqual([fresh, fresh, fresh])
    expect(refreshes).toBe(1)
  })

  it('forgets everything when the refresh is refused', async () => {
    const provider = {
      refresh: async () => {
        throw new AuthError('SESSION_EXPIRED')
      },
    } as unknown as CognitoIdentity
    const session = new Session(provider, localStorage, () => 10_000_000)
    session.remember({ idToken, accessToken: 'a', refreshToken: 'r', expiresAt: 0 })
    expect(await session.idToken()).toBeNull()
    expect(session.signedIn).toBe(false)
    expect(localStorage.getItem('xuefa.session')).toBeNull()
  })
})
