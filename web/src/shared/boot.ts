/** Starting an app: its config, the session (through the identity seam), the typed
 * client, then the Vue app with its router. */
import { createApp, type Component } from 'vue'
import type { Router } from 'vue-router'
import { makeApi } from '../api/client'
import { identityProvider } from '../auth/provider'
import { Session } from '../auth/session'
import { loadConfig } from './config'
import { t } from './messages'
import { provideServices } from './services'

export async function boot(app: Component, makeRouter: (session: Session) => Router, sessionKey: string): Promise<void> {
  let config
  try {
    config = await loadConfig()
  } catch {
    document.getElementById('app')!.textContent = t.errors.NETWORK
    return
  }
  const session = new Session(identityProvider(config), localStorage, Date.now, sessionKey)
  const router = makeRouter(session)
  const api = makeApi(config.api_base, session, () => void router.replace('/login'))
  session.keepFresh()
  provideServices(createApp(app), { config, session, api }).use(router).mount('#app')
}
