import './boot-token';
import '@mdi/font/css/materialdesignicons.css';
import 'vuetify/styles';
import './styles.css';
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import { createVuetify } from 'vuetify';
import * as components from 'vuetify/components';
import * as directives from 'vuetify/directives';
import App from './App.vue';
import { http } from './api/http';
import { apiToken } from './api/token';
import { savedTheme } from './lib/theme';
import { router } from './router';

// Light or dark as picked in the app bar, else as the system is (and switching when it does).
const vuetify = createVuetify({ components, directives, theme: { defaultTheme: savedTheme() } });
const app = createApp(App).use(createPinia()).use(router).use(vuetify);
// The Temporal UI decodes payloads with a decode-only cookie this browser gets now (not the token).
const codecCookie = apiToken() ? http.post('/temporal/codec-cookie').catch(() => undefined) : Promise.resolve();
void codecCookie.finally(() => app.mount('#app'));
