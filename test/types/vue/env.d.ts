import type {} from 'click-to-call/vue';
