import { ErrorCode } from '../protocol/errors.ts';

/** A failure with a contract error code (see `ErrorCode`); what `snapshot.error` is made from. */
export class CallError extends Error {
  override readonly name = 'CallError';
  constructor(
    readonly code: ErrorCode | (string & {}),
    message: string,
    options?: { cause?: unknown; retryAfter?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options?.retryAfter !== undefined) this.retryAfter = options.retryAfter;
  }
  /** Seconds to wait before trying again, when the server said so. */
  readonly retryAfter?: number;
}

/** Misuse of the API (a method called in a state where it makes no sense); thrown at once. */
export class InvalidStateError extends Error {
  override readonly name = 'InvalidStateError';
}

/** Misuse of the API (a bad argument); thrown at once. */
export class InvalidArgumentError extends Error {
  override readonly name = 'InvalidArgumentError';
}

export function toCallError(error: unknown, fallback: ErrorCode = ErrorCode.InternalError): CallError {
  if (error instanceof CallError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CallError(fallback, message || 'Something went wrong.', { cause: error });
}

export function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError') ||
    (typeof DOMException !== 'undefined' && error instanceof DOMException && error.name === 'AbortError');
}
