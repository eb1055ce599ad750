import 'vant/es/toast/style'
import 'vant/es/dialog/style'
import 'vant/es/notify/style'
import './theme.css'
import { boot } from '../shared/boot'
import { consoleHandover } from '../shared/pages'
import App from './App.vue'
import { makeRouter } from './router'

const handover = consoleHandover(window.location)
if (handover) window.location.replace(handover)
else void boot(App, makeRouter, 'xuefa.session')
