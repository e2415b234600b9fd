import type {} from 'click-to-call/svelte';
