/** What every screen uses: the config, the session and the typed API client, handed
 * down from the app (`provideServices` at boot, `provide` in a test's mount) rather than
 * held in a module: two apps, or two tests, never share them by accident. */
import { inject, type App, type InjectionKey } from 'vue'
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

export const SERVICES: InjectionKey<Services> = Symbol('services')

export function provideServices(app: App, services: Services): App {
  return app.provide(SERVICES, services)
}

/** The app's services; only in a component's setup (or a composable it calls). */
export function useServices(): Services {
  const services = inject(SERVICES, null)
  if (!services) throw new Error('services are not provided')
  return services
}

/** The study year the learner is in now, by the server's clock. */
export function currentYear(): number {
  return studyYearOf(serverNow())
}
