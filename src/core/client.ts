import {
  ErrorBody,
  EventsResponse,
  PATHS,
  SessionResponse,
  StartCallResponse,
  isErrorCode,
  type SessionRequest,
  type StartCallRequest,
} from '../protocol/index.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { CallError, isAbort } from './errors.ts';
import type { Trace } from '../media/types.ts';

interface Schema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false };
}

export interface RequestTimeouts {
  /** For session, start and hang-up requests. */
  requestMs: number;
  /** For one event long-poll. */
  pollMs: number;
}

const DEFAULT_TIMEOUTS: RequestTimeouts = { requestMs: 10_000, pollMs: 35_000 };

/** Talks to the token endpoint; every answer is checked against the protocol before use. */
export class EndpointClient {
  constructor(
    private readonly endpoint: string,
    private readonly fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis),
    private readonly timeouts: RequestTimeouts = DEFAULT_TIMEOUTS,
    private readonly trace?: Trace,
  ) {}

  createSession(body: SessionRequest, signal: AbortSignal): Promise<SessionResponse> {
    return this.request(PATHS.session, SessionResponse, { method: 'POST', body, signal });
  }

  startCall(token: string, body: StartCallRequest, signal: AbortSignal): Promise<StartCallResponse> {
    return this.request(PATHS.calls, StartCallResponse, { method: 'POST', body, token, signal });
  }

  events(token: string, callId: string, after: string | null, signal: AbortSignal): Promise<EventsResponse> {
    const query = after === null ? '' : `?after=${encodeURIComponent(after)}`;
    return this.request(PATHS.events(callId) + query, EventsResponse, {
      method: 'GET',
      token,
      signal,
      timeoutMs: this.timeouts.pollMs,
    });
  }

  /** `keepalive` lets the request outlive the page (pagehide, element removal). */
  async hangup(token: string, callId: string, options: { keepalive?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    await this.request(PATHS.hangup(callId), null, {
      method: 'POST',
      body: {},
      token,
      signal: options.signal,
      keepalive: options.keepalive === true,
    });
  }

  url(path: string): string {
    const base = typeof location === 'undefined' ? undefined : location.href;
    return new URL(this.endpoint.replace(/\/+$/, '') + path, base).href;
  }

  private async request<T>(
    path: string,
    schema: Schema<T> | null,
    init: {
      method: 'GET' | 'POST';
      body?: unknown;
      token?: string;
      signal?: AbortSignal | undefined;
      timeoutMs?: number;
      keepalive?: boolean;
    },
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    const timeout = AbortSignal.timeout(init.timeoutMs ?? this.timeouts.requestMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    // The path without its query; the request id lets a site match this to the endpoint's log.
    const started = Date.now();
    const trace = (data: Record<string, unknown>) =>
      this.trace?.('http', { method: init.method, path: path.split('?')[0], ...data, ms: Date.now() - started });

    let response: Response;
    try {
      response = await this.fetchImpl(this.url(path), {
        method: init.method,
        headers,
        body: init.body === undefined ? null : JSON.stringify(init.body),
        signal,
        keepalive: init.keepalive ?? false,
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (error) {
      if (init.signal?.aborted) throw error;
      const why = isAbort(error) ? 'did not answer in time' : 'could not be reached';
      trace({ error: why });
      throw new CallError(ErrorCode.TokenEndpointUnreachable, `The call service ${why}.`, { cause: error });
    }

    let json: unknown;
    try {
      json = await response.json();
    } catch (error) {
      if (init.signal?.aborted) throw error;
      if (isAbort(error)) {
        throw new CallError(ErrorCode.TokenEndpointUnreachable, 'The call service did not answer in time.', { cause: error });
      }
      json = undefined;
    }
    trace({ status: response.status, rid: response.headers.get('x-request-id') });

    if (!response.ok) throw errorFromResponse(response, json);
    if (schema === null) return undefined as T;
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new CallError(ErrorCode.InvalidResponse, 'The call service sent an answer this widget does not understand.');
    }
    return parsed.data;
  }
}

function errorFromResponse(response: Response, json: unknown): CallError {
  const body = ErrorBody.safeParse(json);
  const header = Number(response.headers.get('retry-after'));
  const retryHeader = Number.isFinite(header) && header > 0 ? header : undefined;
  if (body.success) {
    const { code, message, retryAfter } = body.data.error;
    return new CallError(isErrorCode(code) ? code : ErrorCode.VendorRejected, message, {
      retryAfter: retryAfter ?? retryHeader,
    });
  }
  if (response.status === 429) {
    return new CallError(ErrorCode.RateLimited, 'Too many calls. Please try again later.', { retryAfter: retryHeader });
  }
  if (response.status >= 500) {
    return new CallError(ErrorCode.TokenEndpointUnreachable, `The call service failed (HTTP ${response.status}).`);
  }
  return new CallError(ErrorCode.InvalidResponse, `The call service answered HTTP ${response.status} without a reason.`);
}
