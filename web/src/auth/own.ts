/** Our own identity service (`/identity`, where Cognito user pools do not exist: the AWS
 * China regions). The same flows as Cognito's: sign-in, the first sign-in's new password,
 * refresh (the answer carries the next refresh token: each is used once), password change,
 * sign-out. Failures come in the contract's error shape, with `details.reason`.
 *
 * Each right password earns a device token (OWASP's device cookie), kept in localStorage per
 * login and sent with that login's next sign-in from this device: guesses from elsewhere lock
 * the login, never its owner's own phone. It outlives sign-out on purpose. */
import { AuthError, type AuthFailure, type IdentityProvider, type SignInResult, type Tokens } from './identity'

interface Answer {
  challenge?: 'NEW_PASSWORD_REQUIRED'
  session?: string
  id_token?: string
  access_token?: string
  refresh_token?: string
  expires_in?: number
  device_token?: string
}

/** Where this device keeps each login's device token. */
export type DeviceTokens = Pick<Storage, 'getItem' | 'setItem'>

export const deviceKey = (username: string) => `xuefa.device.${username}`

function browserStorage(): DeviceTokens | null {
  try {
    return globalThis.localStorage ?? null
  } catch {
    return null /* storage refused (private mode): sign-in works, without the device's favour */
  }
}

interface ErrorBody {
  error?: { code?: string; details?: { reason?: string } }
}

export function ownFailureOf(status: number, body: ErrorBody): AuthFailure {
  const reason = body.error?.details?.reason
  if (reason === 'disabled') return 'DISABLED'
  if (reason === 'locked' || status === 429) return 'TOO_MANY'
  if (reason === 'session_expired') return 'SESSION_EXPIRED'
  if (reason === 'password_policy') return 'PASSWORD_POLICY'
  // No user enumeration: an unknown login and a wrong password read alike.
  if (status === 401) return 'WRONG_PASSWORD'
  return 'UNKNOWN'
}

export class OwnIdentity implements IdentityProvider {
  constructor(
    private readonly endpoint: string,
    private readonly fetcher: typeof fetch = (...args) => fetch(...args),
    private readonly now: () => number = Date.now,
    private readonly devices: DeviceTokens | null = browserStorage(),
  ) {}

  private keepDevice(username: string, answer: Answer): void {
    if (!answer.device_token) return
    try {
      this.devices?.setItem(deviceKey(username), answer.device_token)
    } catch {
      /* storage full or refused: the next sign-in goes without it */
    }
  }

  private async call(path: string, body: object, authorization?: string): Promise<Answer> {
    let response: Response
    try {
      response = await this.fetcher(`${this.endpoint.replace(/\/$/, '')}/${path}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(authorization ? { Authorization: authorization } : {}),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(20_000),
      })
    } catch {
      throw new AuthError('NETWORK')
    }
    let answer: unknown = {}
    try {
      answer = await response.json()
    } catch {
      /* a gateway's HTML error page: judged by its status alone */
    }
    if (!response.ok) throw new AuthError(ownFailureOf(response.status, answer as ErrorBody))
    return answer as Answer
  }

  private tokens(answer: Answer): Tokens {
    if (!answer.id_token || !answer.access_token || !answer.refresh_token) throw new AuthError('UNKNOWN')
    return {
      idToken: answer.id_token,
      accessToken: answer.access_token,
      refreshToken: answer.refresh_token,
      expiresAt: this.now() + (answer.expires_in ?? 0) * 1000,
    }
  }

  async signIn(username: string, password: string): Promise<SignInResult> {
    const device = this.devices?.getItem(deviceKey(username))
    const answer = await this.call('sign-in', { username, password, ...(device ? { device_token: device } : {}) })
    this.keepDevice(username, answer) // each sign-in uses the sent one up and answers the next
    if (answer.challenge === 'NEW_PASSWORD_REQUIRED' && answer.session) {
      return { kind: 'newPasswordRequired', username, session: answer.session }
    }
    return { kind: 'signedIn', tokens: this.tokens(answer) }
  }

  async completeNewPassword(username: string, session: string, newPassword: string): Promise<Tokens> {
    return this.tokens(await this.call('new-password', { username, session, new_password: newPassword }))
  }

  async refresh(refreshToken: string): Promise<Tokens> {
    return this.tokens(await this.call('refresh', { refresh_token: refreshToken }))
  }

  /** Every other device is signed out by it: this one carries on with the tokens it gets. */
  async changePassword(accessToken: string, oldPassword: string, newPassword: string): Promise<Tokens | null> {
    return this.tokens(await this.call('password', { old_password: oldPassword, new_password: newPassword }, accessToken))
  }

  async signOut(tokens: Tokens): Promise<void> {
    try {
      await this.call('sign-out', { refresh_token: tokens.refreshToken })
    } catch {
      /* offline: the tokens are forgotten on this device anyway */
    }
  }
}
