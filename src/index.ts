/**
 * The browser entry: registers `<click-to-call>` and `<call-status>`. JsSIP is not in here:
 * it is loaded on intent or when a WebRTC call starts.
 */
export { ClickToCall } from './elements/click-to-call.ts';
export { CallStatus } from './elements/call-status.ts';
export { CallSession } from './core/session.ts';
export type { CallSessionOptions, CallTarget, Trace } from './core/session.ts';
export type { CallSnapshot, CallErrorInfo } from './core/snapshot.ts';
export { CallState, CALL_STATES } from './core/states.ts';
export { CallError, InvalidArgumentError, InvalidStateError } from './core/errors.ts';
export { ErrorCode } from './protocol/errors.ts';
export type { CallMode } from './protocol/index.ts';
export { registerMessages } from './i18n/index.ts';
export type { MessageKey, Messages, MessagesLoader, PartialMessages } from './i18n/index.ts';
export { C2CEvent } from './events/index.ts';
export type { CallStartDetail, QualityWarningDetail } from './events/index.ts';
export type { ReadinessCheck, ReadinessCheckName, ReadinessReport, ReadinessStatus } from './elements/readiness.ts';
