// Must fail, each error on the line after its `expect` comment and nowhere else.
import { useState } from 'react';
import type {} from 'click-to-call/react';

export function Widget() {
  const [count, setCount] = useState(0);
  return (
    <>
      {/* expect: TS2322 (mode is webrtc | callback) */}
      <click-to-call mode="sip" endpoint="/c2c" destination="sales" />
      {/* expect: TS2322 (an unknown attribute) */}
      <click-to-call endpoint="/c2c" destination="sales" bogus="1" />
      {/* expect: TS2339 (detail is a snapshot: no such field) */}
      <click-to-call onc2c-state-change={(event) => console.log(event.detail.status)} />
      {/* expect: TS2345 (detail.state is a string, not a number) */}
      <click-to-call onc2c-ended={(event) => setCount(event.detail.state)} />
      {/* expect: TS2322 (state is read-only) */}
      <call-status state="connected" />
      <p>{count}</p>
    </>
  );
}
