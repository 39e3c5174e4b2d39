import { createRouter, createWebHistory } from 'vue-router';

export const router = createRouter({
  history: createWebHistory('/ui/'),
  routes: [
    { path: '/', component: () => import('./pages/OverviewPage.vue') },
    { path: '/runs', component: () => import('./pages/RunsPage.vue') },
    { path: '/runs/compare', component: () => import('./pages/RunComparePage.vue') },
    { path: '/annotate', component: () => import('./pages/AnnotatePage.vue') },
    { path: '/runs/:id', component: () => import('./pages/RunDetailPage.vue'), props: true },
    { path: '/components', component: () => import('./pages/ComponentsPage.vue') },
    { path: '/components/:name', component: () => import('./pages/ComponentDetailPage.vue'), props: true },
    { path: '/pipelines', component: () => import('./pages/PipelinesPage.vue') },
    { path: '/pipelines/:name', component: () => import('./pages/PipelineDetailPage.vue'), props: true },
    { path: '/apps', component: () => import('./pages/AppsPage.vue') },
    { path: '/apps/:name', component: () => import('./pages/AppDetailPage.vue'), props: true },
    { path: '/datasets', component: () => import('./pages/DatasetsPage.vue') },
    { path: '/evals', component: () => import('./pages/EvalsPage.vue') },
    { path: '/evals/compare', component: () => import('./pages/ComparePage.vue') },
    { path: '/evals/:id', component: () => import('./pages/EvalDetailPage.vue'), props: true },
    // Experiments are listed on the Evals page.
    { path: '/experiments', redirect: '/evals' },
    { path: '/experiments/:id', component: () => import('./pages/ExperimentPage.vue'), props: true },
    { path: '/chat', component: () => import('./pages/ChatPage.vue') },
    { path: '/agents', component: () => import('./pages/AgentsPage.vue') },
    { path: '/providers', component: () => import('./pages/ProvidersPage.vue') },
    { path: '/policy', component: () => import('./pages/PolicyPage.vue') },
    { path: '/:unknown(.*)*', component: () => import('./pages/NotFoundPage.vue') },
  ],
});
