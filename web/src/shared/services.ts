/** What every screen uses: the config, the session and the typed API client. */
import type { Api } from '../api/client'
import type { Session } from '../auth/session'
import type { WebConfig } from './config'
import { serverNow } from './clock'
import { studyYearOf } from './format'

export interface Services {
  config: WebConfig
  session: Session
  api: Api
}

let services: Services | null = null

export function setServices(value: Services): void {
  services = value
}

export function useServices(): Services {
  if (!services) throw new Error('services are not set up')
  return services
}

/** The study year the learner is in now, by the server's clock. */
export function currentYear(): number {
  return studyYearOf(serverNow())
}
