import { createContext } from '@lit/context';
import type { CallSession } from '../core/session.ts';

/** `<click-to-call>` provides its CallSession to `<call-status>` elements nested in it. */
export const callSessionContext = createContext<CallSession | undefined>(Symbol.for('click-to-call/session'));
