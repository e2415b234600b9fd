/**
 * English, the language every other catalog falls back to, key by key. This part holds what
 * the first script shows; the lazily loaded parts of the widget bring their own English
 * (errors.ts, en-settings.ts, en-readiness.ts, en-callback.ts). Together they define the
 * `Messages` type. Placeholders are written `{name}`.
 */
export const EN = {
  /** The states of a call (`<click-to-call>` during a call, `<call-status>`). */
  idle: 'Ready to call',
  authorizing: 'Preparing the call…',
  dialing: 'Calling…',
  queued: 'Waiting for an agent…',
  ringing: 'Ringing…',
  connecting: 'Connecting the audio…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  ending: 'Hanging up…',
  ended: 'Call ended',
  scheduled: 'Callback booked',
  failed: 'The call failed',
  'call': 'Call us',
  'callAgain': 'Call again',
  'mute': 'Mute',
  'unmute': 'Unmute',
  'keypad': 'Keypad',
  'hangUp': 'Hang up',
  'audioSettings': 'Audio settings',
  'elapsedTime': 'Elapsed time',
  'loading': 'Loading…',
  /** `<click-to-call>` after a callback was booked; {time} is a date and time. */
  'bookedFor': 'Callback booked: {time}',
  /** The live region when a call fails; {reason} is the error's sentence. */
  'failedBecause': 'The call failed: {reason}',
  /** Floating layout: names the round button and the panel of controls during a call. */
  'callControls': 'Call controls',
  /** `<call-status>`: {time} is a duration such as 1:15. */
  'inQueue': 'In queue {time}',
  'inQueueAt': 'In queue {time}, position {position}',
  'lasted': 'Lasted {time}',
  'quality.good': 'Connection good',
  'quality.fair': 'Connection fair',
  'quality.poor': 'Connection poor',
  /** {quality} is one of the three above, {reasons} a list of the words below. */
  'quality.why': '{quality} ({reasons})',
  'quality.high-rtt': 'slow',
  'quality.high-jitter': 'unsteady',
  'quality.high-packet-loss': 'losing audio',
  'quality.low-mos': 'poor audio',
};
