import '@mdi/font/css/materialdesignicons.css';
import 'vuetify/styles';
import './styles.css';
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import { createVuetify } from 'vuetify';
import * as components from 'vuetify/components';
import * as directives from 'vuetify/directives';
import App from './App.vue';
import { router } from './router';

// Light or dark as the system is, and switching when it does.
const vuetify = createVuetify({ components, directives, theme: { defaultTheme: 'system' } });
createApp(App).use(createPinia()).use(router).use(vuetify).mount('#app');
