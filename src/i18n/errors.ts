/**
 * What a failed call tells the visitor: English for every error code (`error.<code>`), shown
 * instead of the endpoint's developer-facing `snapshot.error.message`. A lazily loaded chunk,
 * fetched when a call fails: neither the first script nor a call that goes well carries them.
 */
import type { CallErrorInfo } from '../core/snapshot.ts';
import type { MessageKey, Translate } from './messages.ts';

export const EN_ERRORS = {
  'error.token-endpoint-unreachable': 'The call service cannot be reached. Check your connection and try again.',
  'error.invalid-response': 'The call service gave an answer this page does not understand. Please try again later.',
  'error.invalid-request': 'This call button is not set up correctly.',
  'error.unauthorized': 'This call button is not allowed to make calls.',
  'error.origin-not-allowed': 'Calls cannot be made from this website.',
  'error.unknown-destination': 'This call button points to a line that does not exist.',
  'error.session-expired': 'The call session expired. Please call again.',
  'error.call-not-found': 'The call service lost track of this call. Please call again.',
  'error.vendor-rejected': 'The contact center refused the call.',
  'error.vendor-unavailable': 'The contact center is not available right now. Please try again later.',
  'error.not-supported': 'This kind of call is not offered here.',
  'error.no-agent-available': 'No one is available to take your call right now.',
  'error.outside-business-hours': 'We are closed right now. Please call during business hours.',
  'error.queue-timeout': 'No one could take your call in time. Please try again.',
  'error.call-failed': 'The call could not be completed.',
  'error.microphone-denied': 'Allow this website to use your microphone, then call again.',
  'error.microphone-unavailable': 'No microphone could be used. Connect one, then call again.',
  'error.microphone-silent': 'Your microphone sends only silence. Check that it is not muted.',
  'error.webrtc-unsupported': 'This browser cannot make calls. Try a current Chrome, Edge, Firefox or Safari.',
  'error.gateway-unreachable': 'The call\'s audio could not be connected. A firewall may block it.',
  'error.media-failed': 'The call\'s audio failed.',
  'error.network-lost': 'The connection was lost.',
  'error.invalid-phone-number': 'This phone number cannot be called. Check it and try again.',
  'error.rate-limited': 'Too many calls. Please try again later.',
  /** Rate-limited with a known wait; {wait} is a duration such as "40 seconds". */
  'error.rate-limited-wait': 'Too many calls. Try again in {wait}.',
  'error.captcha-failed': 'The security check failed. Please try again.',
  'error.internal-error': 'Something went wrong. Please try again.',
};

/**
 * The visitor's sentence for a failure, by its code; the endpoint's own sentence (shown as
 * text) for a code without one. `has` tells whether a message exists in any catalog.
 */
export function describeError(error: CallErrorInfo, t: Translate, has: (key: MessageKey) => boolean, locale: string): string {
  const wait = error.retryAfter;
  if (error.code === 'rate-limited' && wait) return t('error.rate-limited-wait', { wait: formatWait(wait, locale) });
  const key = `error.${error.code}` as MessageKey;
  return has(key) ? t(key) : error.message;
}

/** How long to wait: "40 seconds", "10 minutes" (from two minutes on), rounded up. */
export function formatWait(seconds: number, locale: string): string {
  const [unit, value] = seconds < 120 ? ['second', seconds] : ['minute', seconds / 60];
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(Math.ceil(value));
}
