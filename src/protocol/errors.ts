/**
 * Error codes a failed call carries (`snapshot.error.code`) and the token endpoint answers with.
 * Kebab-case strings; part of the public contract.
 */
export const ErrorCode = {
  TokenEndpointUnreachable: 'token-endpoint-unreachable',
  InvalidResponse: 'invalid-response',
  InvalidRequest: 'invalid-request',
  Unauthorized: 'unauthorized',
  OriginNotAllowed: 'origin-not-allowed',
  UnknownDestination: 'unknown-destination',
  SessionExpired: 'session-expired',
  CallNotFound: 'call-not-found',
  VendorRejected: 'vendor-rejected',
  VendorUnavailable: 'vendor-unavailable',
  NotSupported: 'not-supported',
  NoAgentAvailable: 'no-agent-available',
  OutsideBusinessHours: 'outside-business-hours',
  QueueTimeout: 'queue-timeout',
  CallFailed: 'call-failed',
  MicrophoneDenied: 'microphone-denied',
  MicrophoneUnavailable: 'microphone-unavailable',
  /** Pre-call check: the microphone gave only silence. */
  MicrophoneSilent: 'microphone-silent',
  WebrtcUnsupported: 'webrtc-unsupported',
  GatewayUnreachable: 'gateway-unreachable',
  MediaFailed: 'media-failed',
  NetworkLost: 'network-lost',
  InvalidPhoneNumber: 'invalid-phone-number',
  RateLimited: 'rate-limited',
  /** The CAPTCHA token was missing, refused, or could not be checked. */
  CaptchaFailed: 'captcha-failed',
  InternalError: 'internal-error',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const ERROR_CODES = Object.values(ErrorCode) as readonly ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
