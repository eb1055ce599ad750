/** A first sign-in with a temporary password, waiting for the learner's new password. */
export const pendingChallenge: { username: string; session: string } = { username: '', session: '' }

/** Cognito's default policy: 8 or more, upper and lower case letters and a digit. */
export function strongEnough(password: string): boolean {
  return password.length >= 8 && /[a-z]/.test(password) && /[A-Z]/.test(password) && /\d/.test(password)
}
