/** The token endpoint's public API (`click-to-call/server`). */
export { createC2CHandler } from './handler.ts';
export type { C2CHandler, C2CHandlerOptions, C2CRequestInfo, ClosableC2CHandler } from './handler.ts';
export { ConfigError, loadConfig, parseConfig } from './config.ts';
export type { C2CConfig, C2CConfigInput, DestinationConfig, HuaweiConfig, LoadConfigOptions, ProviderName } from './config.ts';
export { createNodeListener, serve } from './node.ts';
export type { NodeListener, RunningServer, ServeOptions } from './node.ts';
export { C2CError } from './provider.ts';
export type { Provider, ProviderState } from './provider.ts';
export { MemoryStore, createMemoryStores } from './store.ts';
export type { CallRecord, CallStore, ClaimStore, KeyValueStore, SessionRecord, SessionStore, Stores } from './store.ts';
export { fromRateLimiterFlexible, memoryLimiters } from './limits.ts';
export type { Limiter, LimiterFactory, RateLimit } from './limits.ts';
export { CAPTCHA_VERIFY_URLS } from './captcha.ts';
export type { CaptchaConfig, CaptchaProvider } from './captcha.ts';
export type { LimitsConfig } from './config.ts';
export type { HuaweiProviderOptions } from './providers/huawei.ts';
export { jsonLines, LOG_LEVELS } from './log.ts';
export type { C2CLogger, LogLevel, LogRecord } from './log.ts';
