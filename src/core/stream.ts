import { CallEvent } from '../protocol/index.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { CallError } from './errors.ts';

/** The endpoint answered with something other than a stream: poll instead. */
export class NotAStream extends Error {
  override readonly name = 'NotAStream';
}

/**
 * Reads server-sent events with fetch (EventSource cannot send the Authorization header):
 * `Last-Event-ID` resumes after the last event seen. Resolves when the server closes the
 * stream, rejects with NotAStream when the answer is not `text/event-stream`.
 */
export async function readEventStream(
  url: string,
  token: string,
  lastEventId: string | null,
  signal: AbortSignal,
  onEvent: (event: CallEvent) => void,
  fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis),
): Promise<void> {
  const headers: Record<string, string> = { accept: 'text/event-stream', authorization: `Bearer ${token}` };
  if (lastEventId !== null) headers['last-event-id'] = lastEventId;
  let response: Response;
  try {
    response = await fetchImpl(url, { headers, signal, cache: 'no-store', credentials: 'omit' });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new CallError(ErrorCode.NetworkLost, 'The connection to the call service was lost.', { cause: error });
  }
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok || !type.startsWith('text/event-stream') || !response.body) {
    await response.body?.cancel().catch(() => undefined);
    if (response.ok) throw new NotAStream();
    if (response.status === 401) throw new CallError(ErrorCode.SessionExpired, 'The call session has expired.');
    if (response.status === 404) throw new CallError(ErrorCode.CallNotFound, 'The call service no longer knows this call.');
    throw new CallError(ErrorCode.NetworkLost, `The call service answered HTTP ${response.status}.`);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + (buffer[end] === '\r' ? 4 : 2));
        const data = block
          .split(/\r?\n/)
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).replace(/^ /, ''))
          .join('\n');
        if (!data) continue;
        let parsed: unknown;
        try {
          parsed = JSON.parse(data);
        } catch {
          continue;
        }
        const checked = CallEvent.safeParse(parsed);
        if (checked.success) onEvent(checked.data);
      }
    }
  } catch (error) {
    if (signal.aborted) throw error;
    throw new CallError(ErrorCode.NetworkLost, 'The connection to the call service was lost.', { cause: error });
  } finally {
    reader.releaseLock();
  }
}
