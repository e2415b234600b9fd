/**
 * The callback vendors the configuration can name: each one's provider config, destination
 * config and constructor. Adding a vendor is one entry here.
 */
import type * as z from 'zod';
import type { CallbackProvider } from '../provider.ts';
import { CcaiProvider } from './ccai.ts';
import { CcaiConfig, CcaiDestination } from './ccai-schemas.ts';
import { CtiConfig, CtiProvider } from './cti.ts';
import { SarvConfig, SarvDestination, SarvProvider } from './sarv.ts';
import { UdeskConfig, UdeskDestination, UdeskProvider } from './udesk.ts';

export interface CallbackVendor {
  config: z.ZodType;
  /** Null for vendors that only feed events (no destination can be called through them). */
  destination: z.ZodType | null;
  create(config: never, options: { now?: (() => number) | undefined }): CallbackProvider;
}

export const CALLBACK_VENDORS = {
  sarv: {
    config: SarvConfig,
    destination: SarvDestination,
    create: (config: SarvConfig, options) => new SarvProvider(config, options.now ? { now: options.now } : {}),
  },
  udesk: {
    config: UdeskConfig,
    destination: UdeskDestination,
    create: (config: UdeskConfig, options) => new UdeskProvider(config, options.now ? { now: options.now } : {}),
  },
  ccai: {
    config: CcaiConfig,
    destination: CcaiDestination,
    create: (config: CcaiConfig, options) => new CcaiProvider(config, options.now ? { now: options.now } : {}),
  },
  // A CTI feed only reports calls (signed webhooks); no destination is called through it.
  cti: {
    config: CtiConfig,
    destination: null,
    create: (config: CtiConfig, options) => new CtiProvider(config, options.now ? { now: options.now } : {}),
  },
} satisfies Record<string, { config: z.ZodType; destination: z.ZodType | null; create(config: never, options: { now?: (() => number) | undefined }): CallbackProvider }>;

export type CallbackVendorName = keyof typeof CALLBACK_VENDORS;
export const CALLBACK_VENDOR_NAMES = Object.keys(CALLBACK_VENDORS) as CallbackVendorName[];
