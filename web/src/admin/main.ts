import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'
import './admin.css'
import { boot } from '../shared/boot'
import { handedOver } from '../shared/pages'
import App from './App.vue'
import { makeRouter } from './router'

const asked = handedOver(window.location.search)
if (asked) window.history.replaceState(null, '', asked)

// The console keeps its own session: an admin and a learner may share a computer.
void boot(App, makeRouter, 'xuefa.admin-session')
