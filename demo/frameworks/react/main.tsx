// Registering the elements is a side effect of importing the package: do it before React
// renders, so React sees their properties and sets `mode`, `disabled`... as properties.
import 'click-to-call';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
