import { useRef, useState } from 'react';
import type { CallSnapshot, ClickToCall } from 'click-to-call';
import type {} from 'click-to-call/react';

const FINAL = new Set(['idle', 'ended', 'scheduled', 'failed']);

export function App() {
  const call = useRef<ClickToCall>(null);
  // The call as React knows it: only what the typed events told us.
  const [snapshot, setSnapshot] = useState<CallSnapshot | null>(null);
  const [changes, setChanges] = useState(0);
  const live = snapshot !== null && !FINAL.has(snapshot.state);

  return (
    <main>
      <h1>React 19</h1>
      <click-to-call
        id="call"
        ref={call}
        endpoint="/c2c"
        destination="sales"
        onc2c-state-change={(event) => {
          setSnapshot(event.detail);
          setChanges((n) => n + 1);
        }}
        onc2c-error={(event) => console.warn('call failed:', event.detail.error?.code)}
      />
      <call-status for="call" />
      <h2>What React knows, from the c2c-state-change events</h2>
      <dl>
        <dt>State</dt>
        <dd id="fw-state">{snapshot?.state ?? 'idle'}</dd>
        <dt>Call id</dt>
        <dd id="fw-call-id">{snapshot?.callId ?? ''}</dd>
        <dt>Provider</dt>
        <dd id="fw-provider">{snapshot?.provider ?? ''}</dd>
        <dt>State changes</dt>
        <dd id="fw-changes">{changes}</dd>
      </dl>
      <button id="fw-hangup" type="button" disabled={!live} onClick={() => void call.current?.hangup()}>
        Hang up (React button)
      </button>
    </main>
  );
}
