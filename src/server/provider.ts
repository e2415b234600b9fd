/**
 * What the routes need from a vendor, and the one error type everything below the routes
 * throws. Routes turn a C2CError into an ErrorBody; anything else becomes `internal-error`.
 */
import { ErrorCode } from '../protocol/errors.ts';
import type { CallEvent, CallMode, IceServer, StartCallRequest } from '../protocol/index.ts';
import type { DestinationConfig, ProviderName } from './config.ts';

/** HTTP status the endpoint answers with for each error code it produces. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.InvalidRequest]: 400,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.SessionExpired]: 401,
  [ErrorCode.OriginNotAllowed]: 403,
  [ErrorCode.UnknownDestination]: 404,
  [ErrorCode.CallNotFound]: 404,
  [ErrorCode.NotSupported]: 409,
  [ErrorCode.OutsideBusinessHours]: 409,
  [ErrorCode.NoAgentAvailable]: 409,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.VendorRejected]: 502,
  [ErrorCode.InvalidResponse]: 502,
  [ErrorCode.VendorUnavailable]: 503,
  [ErrorCode.InternalError]: 500,
};

export class C2CError extends Error {
  override readonly name = 'C2CError';
  readonly code: ErrorCode;
  readonly status: number;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options?.status ?? STATUS[code] ?? 500;
  }
}

/** Provider-private state kept in the session record: JSON, never sent to the browser. */
export type ProviderState = Record<string, unknown>;

export interface Provider {
  readonly name: ProviderName;
  readonly modes: readonly CallMode[];
  readonly iceServers?: IceServer[] | undefined;
  /** Vendor credentials for one visitor. */
  openSession(input: { locale?: string | undefined }): Promise<ProviderState>;
  /** Starts the call; `state` may be changed in place (renewed tokens) and is saved after. */
  startCall(state: ProviderState, input: { destination: DestinationConfig; request: StartCallRequest }): Promise<void>;
  /** One relay of the vendor's events; `nextId` numbers events the vendor gave no id. */
  pollEvents(state: ProviderState, nextId: () => string): Promise<CallEvent[]>;
  /** Ends the call at the vendor; `dropped: false` when the vendor had nothing to drop. */
  hangup(state: ProviderState): Promise<{ dropped: boolean }>;
}
