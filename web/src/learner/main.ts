import 'vant/es/toast/style'
import 'vant/es/dialog/style'
import 'vant/es/notify/style'
import './theme.css'
import { createApp } from 'vue'
import { makeApi } from '../api/client'
import { CognitoIdentity } from '../auth/cognito'
import { Session } from '../auth/session'
import { loadConfig } from '../shared/config'
import { t } from '../shared/messages'
import App from './App.vue'
import { makeRouter } from './router'
import { setServices } from '../shared/services'

async function boot(): Promise<void> {
  let config
  try {
    config = await loadConfig()
  } catch {
    document.getElementById('app')!.textContent = t.errors.NETWORK
    return
  }
  const endpoint = new URL(config.cognito_endpoint, window.location.href).toString()
  const session = new Session(new CognitoIdentity(endpoint, config.client_id))
  const router = makeRouter(session)
  const api = makeApi(config.api_base, session, () => void router.replace('/login'))
  setServices({ config, session, api })
  session.keepFresh()
  createApp(App).use(router).mount('#app')
}

void boot()
