/** The identity seam on the web side: every sign-in call goes through one provider.
 * Cognito user pools are one implementation (`cognito.ts`); the China regions, which have
 * no user pools, use our own identity service (`own.ts`); `provider.ts` picks one. */

export interface Tokens {
  idToken: string
  accessToken: string
  refreshToken: string
  /** epoch milliseconds when the ID token expires */
  expiresAt: number
}

export type SignInResult =
  | { kind: 'signedIn'; tokens: Tokens }
  | { kind: 'newPasswordRequired'; username: string; session: string }

export type AuthFailure =
  | 'WRONG_PASSWORD'
  | 'DISABLED'
  | 'PASSWORD_POLICY'
  | 'SESSION_EXPIRED'
  | 'TOO_MANY'
  | 'NETWORK'
  | 'UNKNOWN'

export class AuthError extends Error {
  constructor(
    readonly failure: AuthFailure,
    message?: string,
  ) {
    super(message ?? failure)
  }
}

export interface IdentityProvider {
  signIn(username: string, password: string): Promise<SignInResult>
  /** The first sign-in with a temporary password: set the learner's own. */
  completeNewPassword(username: string, session: string, newPassword: string): Promise<Tokens>
  refresh(refreshToken: string): Promise<Tokens>
  /** New tokens when the provider signs other devices out by it (ours), else null. */
  changePassword(accessToken: string, oldPassword: string, newPassword: string): Promise<Tokens | null>
  signOut(tokens: Tokens): Promise<void>
}
