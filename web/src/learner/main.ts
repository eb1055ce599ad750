import 'vant/es/toast/style'
import 'vant/es/dialog/style'
import 'vant/es/notify/style'
import './theme.css'
import { boot } from '../shared/boot'
import App from './App.vue'
import { makeRouter } from './router'

void boot(App, makeRouter, 'xuefa.session')
