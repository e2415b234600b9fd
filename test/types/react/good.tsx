// Must type-check: the elements as a React 19 app uses them.
import { useRef, useState } from 'react';
import type { CallSnapshot, CallStartDetail, ClickToCall, QualityWarningDetail } from 'click-to-call';
import type {} from 'click-to-call/react';

export function Widget() {
  const ref = useRef<ClickToCall>(null);
  const [snapshot, setSnapshot] = useState<CallSnapshot | null>(null);
  const onStart = (event: CustomEvent<CallStartDetail>) => {
    if (event.detail.destination === 'closed') event.preventDefault();
  };
  return (
    <>
      <click-to-call
        id="call"
        ref={ref}
        endpoint="/c2c"
        destination="sales"
        mode="webrtc"
        locale="zh-CN"
        disabled={false}
        phone="+15551234567"
        captchaToken="token"
        className="widget"
        onc2c-call-start={onStart}
        onc2c-state-change={(event) => setSnapshot(event.detail)}
        onc2c-error={(event) => console.log(event.detail.error?.code)}
        onc2c-quality-warning={(event: CustomEvent<QualityWarningDetail>) => console.log(event.detail.warning, event.detail.active)}
      >
        <span slot="label">Call</span>
        <call-status />
      </click-to-call>
      <call-status for="call" />
      <call-status htmlFor="call" />
      <p>{snapshot?.state}</p>
      <button onClick={() => ref.current?.hangup()}>Hang up</button>
    </>
  );
}
