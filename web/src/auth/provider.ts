/** The one place that picks who signs people in, from the deployed config: Cognito user
 * pools where they exist, our own identity service elsewhere (the AWS China regions). */
import type { WebConfig } from '../shared/config'
import { CognitoIdentity } from './cognito'
import type { IdentityProvider } from './identity'
import { OwnIdentity } from './own'

export function identityProvider(config: WebConfig, base: string = window.location.href): IdentityProvider {
  if (config.identity === 'own') return new OwnIdentity(new URL(config.identity_endpoint, base).toString())
  return new CognitoIdentity(new URL(config.cognito_endpoint, base).toString(), config.client_id)
}
