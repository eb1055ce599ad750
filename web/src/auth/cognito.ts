/** Cognito user pools from the browser: the JSON protocol that the AWS SDK speaks
 * (InitiateAuth with USER_PASSWORD_AUTH, RespondToAuthChallenge, REFRESH_TOKEN_AUTH), the
 * same against AWS and against the local stack (moto, proxied on the same origin). The
 * only module that knows Cognito. */
import { AuthError, type AuthFailure, type IdentityProvider, type SignInResult, type Tokens } from './identity'

interface AuthenticationResult {
  IdToken: string
  AccessToken: string
  RefreshToken?: string
  ExpiresIn: number
}

interface CognitoAnswer {
  AuthenticationResult?: AuthenticationResult
  ChallengeName?: string
  Session?: string
}

export function failureOf(type: string, message: string): AuthFailure {
  const kind = type.split('#').pop() ?? type
  if (kind === 'NotAuthorizedException') {
    if (/disabled/i.test(message)) return 'DISABLED'
    if (/session/i.test(message) || /refresh token/i.test(message)) return 'SESSION_EXPIRED'
    return 'WRONG_PASSWORD'
  }
  // No user enumeration: an unknown login reads as a wrong password.
  if (kind === 'UserNotFoundException') return 'WRONG_PASSWORD'
  if (kind === 'InvalidPasswordException' || kind === 'InvalidParameterException') return 'PASSWORD_POLICY'
  if (kind === 'TooManyRequestsException' || kind === 'LimitExceededException') return 'TOO_MANY'
  if (kind === 'PasswordResetRequiredException') return 'WRONG_PASSWORD'
  return 'UNKNOWN'
}

export class CognitoIdentity implements IdentityProvider {
  constructor(
    private readonly endpoint: string,
    private readonly clientId: string,
    private readonly fetcher: typeof fetch = (...args) => fetch(...args),
    private readonly now: () => number = Date.now,
  ) {}

  private async call(action: string, body: object): Promise<CognitoAnswer> {
    let response: Response
    try {
      response = await this.fetcher(this.endpoint, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-amz-json-1.1',
          'X-Amz-Target': `AWSCognitoIdentityProviderService.${action}`,
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(20_000),
      })
    } catch {
      throw new AuthError('NETWORK')
    }
    const text = await response.text()
    const answer = text ? (JSON.parse(text) as Record<string, unknown>) : {}
    if (!response.ok) {
      const type = String(answer.__type ?? answer.code ?? '')
      const message = String(answer.message ?? answer.Message ?? '')
      throw new AuthError(failureOf(type, message), message)
    }
    return answer as CognitoAnswer
  }

  private tokens(result: AuthenticationResult, refreshToken?: string): Tokens {
    return {
      idToken: result.IdToken,
      accessToken: result.AccessToken,
      refreshToken: result.RefreshToken ?? refreshToken ?? '',
      expiresAt: this.now() + result.ExpiresIn * 1000,
    }
  }

  async signIn(username: string, password: string): Promise<SignInResult> {
    const answer = await this.call('InitiateAuth', {
      ClientId: this.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password },
    })
    if (answer.ChallengeName === 'NEW_PASSWORD_REQUIRED' && answer.Session) {
      return { kind: 'newPasswordRequired', username, session: answer.Session }
    }
    if (!answer.AuthenticationResult) throw new AuthError('UNKNOWN', answer.ChallengeName)
    return { kind: 'signedIn', tokens: this.tokens(answer.AuthenticationResult) }
  }

  async completeNewPassword(username: string, session: string, newPassword: string): Promise<Tokens> {
    const answer = await this.call('RespondToAuthChallenge', {
      ClientId: this.clientId,
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: session,
      ChallengeResponses: { USERNAME: username, NEW_PASSWORD: newPassword },
    })
    if (!answer.AuthenticationResult) throw new AuthError('UNKNOWN', answer.ChallengeName)
    return this.tokens(answer.AuthenticationResult)
  }

  async refresh(refreshToken: string): Promise<Tokens> {
    const answer = await this.call('InitiateAuth', {
      ClientId: this.clientId,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    })
    if (!answer.AuthenticationResult) throw new AuthError('SESSION_EXPIRED')
    return this.tokens(answer.AuthenticationResult, refreshToken)
  }

  async changePassword(accessToken: string, oldPassword: string, newPassword: string): Promise<Tokens | null> {
    await this.call('ChangePassword', {
      AccessToken: accessToken,
      PreviousPassword: oldPassword,
      ProposedPassword: newPassword,
    })
    return null // the pool's tokens stay valid
  }

  async signOut(tokens: Tokens): Promise<void> {
    // Revoke the refresh token where the pool allows it; signing out locally always works.
    try {
      await this.call('RevokeToken', { ClientId: this.clientId, Token: tokens.refreshToken })
    } catch {
      /* offline or not supported: the tokens are forgotten below anyway */
    }
  }
}
