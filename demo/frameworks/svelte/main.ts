import 'click-to-call';
// Types only: <click-to-call> and <call-status> for svelte-check (props and onc2c-* events).
import type {} from 'click-to-call/svelte';
import { mount } from 'svelte';
import App from './App.svelte';

mount(App, { target: document.getElementById('app')! });
