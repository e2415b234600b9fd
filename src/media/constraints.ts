/** What the widget asks of the microphone: one device (or the default) with voice processing on. */
export function microphoneConstraints(deviceId: string | null | undefined): MediaStreamConstraints {
  return {
    audio: {
      ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
      echoCancellation: true,
      noiseSuppression: true,
      autoGainControl: true,
    },
    video: false,
  };
}
