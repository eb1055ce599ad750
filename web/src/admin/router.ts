import { createRouter, createWebHistory, type Router } from 'vue-router'
import type { Session } from '../auth/session'

export function makeRouter(session: Session): Router {
  const router = createRouter({
    history: createWebHistory('/admin/'),
    routes: [
      { path: '/login', component: () => import('./views/Login.vue'), meta: { public: true } },
      { path: '/new-password', component: () => import('./views/NewPassword.vue'), meta: { public: true } },
      { path: '/', redirect: '/overview' },
      { path: '/overview', component: () => import('./views/Overview.vue') },
      { path: '/learners', component: () => import('./views/Learners.vue') },
      { path: '/learners/:studentNo', component: () => import('./views/LearnerDetail.vue'), props: true },
      { path: '/progress', component: () => import('./views/Progress.vue') },
      { path: '/reports', component: () => import('./views/Reports.vue') },
      { path: '/exams', component: () => import('./views/Exams.vue') },
      { path: '/bank', component: () => import('./views/Bank.vue') },
      { path: '/exams/analysis', component: () => import('./views/ItemAnalysis.vue') },
      { path: '/credits', component: () => import('./views/Credits.vue') },
      { path: '/lessons', component: () => import('./views/Lessons.vue') },
      { path: '/lessons/:id', component: () => import('./views/LessonEditor.vue'), props: true },
      { path: '/review', component: () => import('./views/Review.vue') },
      { path: '/practice', component: () => import('./views/PracticeTopics.vue') },
      { path: '/:rest(.*)*', redirect: '/overview' },
    ],
  })
  router.beforeEach((to) => {
    const admin = session.state.claims?.groups.includes('admins') ?? false
    if (!to.meta.public && !admin) return { path: '/login', query: { next: to.fullPath } }
    return true
  })
  return router
}
