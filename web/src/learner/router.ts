import { createRouter, createWebHistory, type Router } from 'vue-router'
import type { Session } from '../auth/session'

export function makeRouter(session: Session): Router {
  const router = createRouter({
    history: createWebHistory('/'),
    routes: [
      { path: '/login', component: () => import('./views/Login.vue'), meta: { public: true } },
      { path: '/new-password', component: () => import('./views/NewPassword.vue'), meta: { public: true } },
      { path: '/verify/:code', component: () => import('./views/Verify.vue'), props: true, meta: { public: true } },
      { path: '/', component: () => import('./views/Home.vue'), meta: { tab: true } },
      { path: '/study', component: () => import('./views/Study.vue'), meta: { tab: true } },
      { path: '/study/session/:id', component: () => import('./views/StudySession.vue'), props: true },
      { path: '/study/lesson/:id', component: () => import('./views/Lesson.vue'), props: true },
      { path: '/study/ledger', component: () => import('./views/Ledger.vue') },
      { path: '/study/practice', component: () => import('./views/Practice.vue') },
      { path: '/study/practice/set', component: () => import('./views/PracticeSet.vue') },
      { path: '/study/practice/notebook', component: () => import('./views/Notebook.vue') },
      { path: '/exam', component: () => import('./views/Exam.vue'), meta: { tab: true } },
      {
        path: '/exam/:year/paper/:no',
        component: () => import('./views/ExamPaper.vue'),
        props: (route) => ({ year: Number(route.params.year), no: Number(route.params.no) }),
      },
      {
        path: '/exam/:year/attempts/:no',
        component: () => import('./views/AttemptReview.vue'),
        props: (route) => ({ year: Number(route.params.year), no: Number(route.params.no) }),
      },
      { path: '/archive', component: () => import('./views/Archive.vue'), meta: { tab: true } },
      { path: '/me', component: () => import('./views/Me.vue'), meta: { tab: true } },
      { path: '/me/password', component: () => import('./views/ChangePassword.vue') },
      { path: '/me/access', component: () => import('./views/Access.vue') },
      { path: '/:rest(.*)*', redirect: '/' },
    ],
  })
  router.beforeEach((to) => {
    if (!to.meta.public && !session.signedIn) return { path: '/login', query: { next: to.fullPath } }
    if (to.path === '/login' && session.signedIn) return '/'
    return true
  })
  return router
}
