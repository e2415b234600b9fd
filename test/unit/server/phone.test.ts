import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPhone } from '../../../src/server/phone.ts';
import { C2CError } from '../../../src/server/provider.ts';

const refused = (raw: unknown, countries?: string[]) => {
  try {
    checkPhone(raw, { countries });
  } catch (error) {
    assert.ok(error instanceof C2CError);
    assert.equal(error.code, 'invalid-phone-number');
    assert.equal(error.status, 400);
    return error.message;
  }
  assert.fail(`${String(raw)} was accepted`);
};

describe('checkPhone', () => {
  it('returns E.164 for valid mobile and landline numbers, spaces and dots allowed', () => {
    assert.equal(checkPhone('+1 415 555 0123'), '+14155550123');
    assert.equal(checkPhone('+91 98765 43210'), '+919876543210');
    assert.equal(checkPhone('+86 138-0013-8000'), '+8613800138000');
  });

  it('refuses numbers without a country code, garbage and non-strings', () => {
    for (const raw of ['4155550123', '', '+', 'call me', '+1 415 555 0123; DROP', 42, null, undefined, { n: 1 }]) {
      assert.match(refused(raw), /country code|not valid/);
    }
  });

  it('refuses numbers that cannot exist', () => {
    assert.match(refused('+1 555 0123'), /not valid/);
    assert.match(refused('+44 7700 900123'), /not valid/);
  });

  it('refuses premium-rate and shared-cost lines (toll fraud)', () => {
    for (const raw of ['+1 900 555 0123', '+44 909 879 0123', '+33 8 92 68 01 03']) {
      assert.match(refused(raw), /premium-rate or shared-cost/);
    }
  });

  it('keeps to the countries a destination allows', () => {
    assert.equal(checkPhone('+919876543210', { countries: ['in'] }), '+919876543210');
    assert.match(refused('+14155550123', ['IN', 'GB']), /this country/);
  });
});
