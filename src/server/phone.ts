/**
 * The visitor's number for a callback: E.164 only, never a premium-rate or shared-cost line
 * (toll fraud), and only in the countries a destination allows. Full metadata (`/max`) is
 * needed to tell a number's type; it stays on the server.
 */
import { parsePhoneNumberFromString, type NumberType } from 'libphonenumber-js/max';
import { ErrorCode } from '../protocol/errors.ts';
import { C2CError } from './provider.ts';

export interface NumberPolicy {
  /** ISO 3166 alpha-2 codes; absent means every country. */
  countries?: readonly string[] | undefined;
}

/** Types a callback may never ring: the caller's site would pay the visitor's premium line. */
const REFUSED_TYPES: ReadonlySet<NumberType> = new Set([
  'PREMIUM_RATE',
  'SHARED_COST',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
] as NumberType[]);

/** Returns the number in E.164 or throws C2CError `invalid-phone-number` with a sentence for the visitor. */
export function checkPhone(raw: unknown, policy: NumberPolicy = {}): string {
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (!/^\+[1-9][0-9 ().-]{5,24}$/.test(text)) {
    throw new C2CError(ErrorCode.InvalidPhoneNumber, 'Enter your number with its country code, like +44 20 7946 0018.', { status: 400 });
  }
  const number = parsePhoneNumberFromString(text);
  if (!number || !number.isValid()) {
    throw new C2CError(ErrorCode.InvalidPhoneNumber, 'This phone number is not valid. Check the country code and the digits.', { status: 400 });
  }
  const type = number.getType();
  if (type && REFUSED_TYPES.has(type)) {
    throw new C2CError(ErrorCode.InvalidPhoneNumber, 'We cannot call premium-rate or shared-cost numbers. Please give a mobile or landline number.', { status: 400 });
  }
  const countries = policy.countries?.map((c) => c.toUpperCase());
  if (countries && countries.length > 0 && (!number.country || !countries.includes(number.country))) {
    throw new C2CError(ErrorCode.InvalidPhoneNumber, 'We cannot call numbers in this country.', { status: 400 });
  }
  return number.number;
}
