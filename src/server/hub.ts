/**
 * Fan-out of a call's events to the browsers that follow it (server-sent events and long
 * polls). The default lives in this process; a Redis pub/sub one can replace it so that a
 * webhook received by one instance reaches a browser connected to another.
 */
import type { CallEvent } from '../protocol/index.ts';

export type CallEventListener = (event: CallEvent) => void;

export interface EventHub {
  publish(callId: string, event: CallEvent): void;
  /** Returns the function that stops the listener. */
  subscribe(callId: string, listener: CallEventListener): () => void;
}

export class MemoryEventHub implements EventHub {
  readonly #listeners = new Map<string, Set<CallEventListener>>();

  publish(callId: string, event: CallEvent): void {
    for (const listener of [...(this.#listeners.get(callId) ?? [])]) {
      try {
        listener(event);
      } catch {
        // One broken stream must not keep the event from the others.
      }
    }
  }

  subscribe(callId: string, listener: CallEventListener): () => void {
    let set = this.#listeners.get(callId);
    if (!set) this.#listeners.set(callId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(callId);
    };
  }

  /** Listeners still attached (tests prove streams let go). */
  get size(): number {
    let n = 0;
    for (const set of this.#listeners.values()) n += set.size;
    return n;
  }
}
