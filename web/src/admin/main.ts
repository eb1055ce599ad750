import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'
import './admin.css'
import { createApp } from 'vue'
import { makeApi } from '../api/client'
import { CognitoIdentity } from '../auth/cognito'
import { Session } from '../auth/session'
import { loadConfig } from '../shared/config'
import { t } from '../shared/messages'
import { setServices } from '../shared/services'
import App from './App.vue'
import { makeRouter } from './router'

async function boot(): Promise<void> {
  let config
  try {
    config = await loadConfig()
  } catch {
    document.getElementById('app')!.textContent = t.errors.NETWORK
    return
  }
  const endpoint = new URL(config.cognito_endpoint, window.location.href).toString()
  // The console keeps its own session: an admin and a learner may share a computer.
  const session = new Session(new CognitoIdentity(endpoint, config.client_id), localStorage, Date.now, 'xuefa.admin-session')
  const router = makeRouter(session)
  const api = makeApi(config.api_base, session, () => void router.replace('/login'))
  setServices({ config, session, api })
  session.keepFresh()
  createApp(App).use(router).mount('#app')
}

void boot()
