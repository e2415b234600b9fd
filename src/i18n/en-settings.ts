/** English of the audio settings, the level meter and the blocked-audio prompt (the devices chunk). */
export const EN_SETTINGS = {
  'settings.label': 'Audio settings',
  'settings.microphone': 'Microphone',
  'settings.speaker': 'Speaker',
  /** A device whose name the browser hides until the microphone is allowed; {n} counts from 1. */
  'settings.microphoneN': 'Microphone {n}',
  'settings.speakerN': 'Speaker {n}',
  'settings.default': 'Browser default',
  'settings.looking': 'Looking for audio devices…',
  'settings.namesLater': 'Device names appear once you allow the microphone.',
  'settings.level': 'Microphone level',
  'settings.test': 'Test my audio',
  'settings.cannotUse': 'This device cannot be used here. Pick another.',
  'settings.micDenied': 'The browser does not allow this website to use the microphone.',
  'settings.micUnavailable': 'This microphone cannot be used. Pick another.',
  'audio.paused': 'Your browser paused the call\'s sound.',
  'audio.enable': 'Tap to enable audio',
};
