/**
 * The CAPTCHA hook: the widget sends the token the page's CAPTCHA produced with the session
 * request, and the endpoint asks the CAPTCHA service whether it is good, the way Turnstile,
 * hCaptcha and reCAPTCHA all define it (a form POST of `secret`, `response`, `remoteip`;
 * JSON back with `success`, `error-codes` and, for reCAPTCHA v3, `score`). Fails closed:
 * no answer, a slow answer or an odd answer refuses the session.
 */
import * as z from 'zod';
import { ErrorCode } from '../protocol/errors.ts';
import { C2CError } from './provider.ts';

export const CAPTCHA_PROVIDERS = ['turnstile', 'hcaptcha', 'recaptcha'] as const;
export type CaptchaProvider = (typeof CAPTCHA_PROVIDERS)[number];

export const CAPTCHA_VERIFY_URLS: Record<CaptchaProvider, string> = {
  turnstile: 'https://challenges.cloudflare.com/turnstile/v0/siteverify',
  hcaptcha: 'https://api.hcaptcha.com/siteverify',
  recaptcha: 'https://www.google.com/recaptcha/api/siteverify',
};

export const CaptchaConfig = z
  .strictObject({
    /** Which service issued the page's tokens. */
    provider: z.enum(CAPTCHA_PROVIDERS),
    /** The secret key of the site (never the site key the page shows). */
    secret: z.string().min(1),
    /** Defaults to the provider's siteverify URL; tests point it at a local verifier. */
    verifyUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** reCAPTCHA v3: the lowest score (0.0 bot .. 1.0 human) that passes. */
    minScore: z.number().min(0).max(1).optional(),
    /** True: every session needs a passing token. False: a token is checked only when sent. */
    required: z.boolean().default(true),
    /** How long the CAPTCHA service may take to answer. */
    timeoutMs: z.number().int().min(100).max(30_000).default(5_000),
  })
  .refine((c) => c.minScore === undefined || c.provider === 'recaptcha', {
    path: ['minScore'],
    message: 'minScore is for reCAPTCHA v3 (provider "recaptcha") only',
  });
export type CaptchaConfig = z.output<typeof CaptchaConfig>;

const VerifyAnswer = z.object({
  success: z.boolean(),
  'error-codes': z.array(z.string()).optional(),
  score: z.number().optional(),
});

/** Codes that say the endpoint is misconfigured rather than the visitor a bot. */
const OPERATOR_ERRORS = new Set(['missing-input-secret', 'invalid-input-secret', 'sitekey-secret-mismatch', 'invalid-or-already-seen-response-secret']);

export interface CaptchaCheck {
  token: string | undefined;
  remoteIp: string | null;
  fetch?: typeof fetch;
  /** Told when the CAPTCHA service says the secret is wrong (an operator's problem). */
  onWarning?: (message: string) => void;
}

/** Resolves when the token passes (or none is needed); throws C2CError `captcha-failed`. */
export async function verifyCaptcha(config: CaptchaConfig, check: CaptchaCheck): Promise<void> {
  if (check.token === undefined || check.token === '') {
    if (!config.required) return;
    throw new C2CError(ErrorCode.CaptchaFailed, 'Please complete the security check first.');
  }
  const form = new URLSearchParams({ secret: config.secret, response: check.token });
  if (check.remoteIp) form.set('remoteip', check.remoteIp);
  let answer: z.output<typeof VerifyAnswer>;
  try {
    const response = await (check.fetch ?? fetch)(config.verifyUrl ?? CAPTCHA_VERIFY_URLS[config.provider], {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
      signal: AbortSignal.timeout(config.timeoutMs),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    answer = VerifyAnswer.parse(await response.json());
  } catch (cause) {
    throw new C2CError(ErrorCode.CaptchaFailed, 'The security check could not be verified just now. Please try again.', { status: 503, cause });
  }
  const codes = answer['error-codes'] ?? [];
  const misconfigured = codes.filter((code) => OPERATOR_ERRORS.has(code));
  if (misconfigured.length) check.onWarning?.(`[c2c-server] the ${config.provider} verifier says: ${misconfigured.join(', ')} (check captcha.secret)`);
  const scoreOk = config.minScore === undefined || (answer.score !== undefined && answer.score >= config.minScore);
  if (!answer.success || !scoreOk) throw new C2CError(ErrorCode.CaptchaFailed, 'The security check failed. Please try it again.');
}
