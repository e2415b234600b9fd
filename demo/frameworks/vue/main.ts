import 'click-to-call';
// Types only: <click-to-call> and <call-status> for vue-tsc (props and @c2c-* events).
import type {} from 'click-to-call/vue';
import { createApp } from 'vue';
import App from './App.vue';

createApp(App).mount('#app');
