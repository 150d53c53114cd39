import { getExample, getSupportedRegionCodes } from 'awesome-phonenumber';
import { describe, expect, it } from 'vitest';
import {
  countries,
  countryLabel,
  defaultCountry,
  displayValue,
  exampleNumber,
  readPhoneNumber,
  readTarget,
  savedAs,
  storedValue,
} from '../../src/forms/phoneNumbers.js';

const e164 = (text: string, region: string) => {
  const r = readPhoneNumber(text, region);
  return r.kind === 'phoneNumber' ? r.e164 : r;
};

describe('reading typed phone numbers', () => {
  it('reads national formats in the default country', () => {
    expect(e164('(425) 555-0100', 'US')).toBe('+14255550100');
    expect(e164('425.555.0100', 'US')).toBe('+14255550100');
    expect(e164('1 800 555 0100', 'US')).toBe('+18005550100');
    expect(e164('020 7946 0958', 'GB')).toBe('+442079460958');
    expect(e164('06 12 34 56 78', 'FR')).toBe('+33612345678');
    expect(e164('030 1234567', 'DE')).toBe('+49301234567');
  });

  it('reads international formats whatever the default country', () => {
    for (const region of ['US', 'GB', 'FR', 'JP']) {
      expect(e164('+44 20 7946 0958', region)).toBe('+442079460958');
      expect(e164('+44-20-7946-0958', region)).toBe('+442079460958');
      expect(e164('+1.425.555.0100', region)).toBe('+14255550100');
      // 00 is the international prefix in most countries, but not the United States'.
      expect(e164('0044 20 7946 0958', region)).toBe('+442079460958');
    }
    expect(e164('011 44 20 7946 0958', 'US')).toBe('+442079460958');
  });

  it('round-trips every country’s example number, national and international', () => {
    const regions = getSupportedRegionCodes();
    expect(regions.length).toBeGreaterThan(200);
    let checked = 0;
    for (const region of regions) {
      const example = getExample(region, 'fixed-line');
      if (!example.valid) continue;
      expect(e164(example.number.national, region), region).toBe(example.number.e164);
      expect(e164(example.number.international, 'US'), region).toBe(example.number.e164);
      expect(displayValue(example.number.e164), region).toBe(example.number.international);
      checked++;
    }
    expect(checked).toBeGreaterThan(200);
  });

  it('says what is wrong in plain words, naming the country', () => {
    const problem = (text: string, region: string) => {
      const r = readPhoneNumber(text, region);
      return r.kind === 'problem' ? r.message : `not a problem: ${JSON.stringify(r)}`;
    };
    expect(problem('020 7946', 'GB')).toBe(
      "This isn't a complete United Kingdom number: it is too short. United Kingdom numbers look like 0121 234 5678.",
    );
    expect(problem('+1 425', 'GB')).toMatch(/^This isn't a complete United States number/);
    expect(problem('020 7946 0958 12345', 'GB')).toMatch(
      /^This is too long for a United Kingdom number/,
    );
    expect(problem('hello', 'US')).toBe(
      "That isn't a phone number. United States numbers look like (201) 555-0123.",
    );
    expect(problem('+999 1234 5678', 'US')).toMatch(/^No country has the calling code/);
    for (const text of ['020 7946', 'hello', '+999 1234']) {
      expect(problem(text, 'GB')).not.toMatch(/E\.164|8:acs|regex|invalid-country-code/);
    }
  });

  it('keeps a well-formed international number the metadata does not list, with a caution', () => {
    const r = readPhoneNumber('+1 555 123 0000', 'US');
    expect(r).toMatchObject({ kind: 'phoneNumber', e164: '+15551230000' });
    expect(r.kind === 'phoneNumber' && r.caution).toMatch(
      /doesn't look like a United States number in use/,
    );
    // Written nationally the same digits are not trusted: the analyst sees the problem.
    expect(readPhoneNumber('555 123 0000', 'US').kind).toBe('problem');
  });

  it('saves E.164 for a number and the typed text otherwise, so the validator marks it', () => {
    expect(storedValue(readPhoneNumber(' (425) 555-0100 ', 'US'), ' (425) 555-0100 ')).toBe(
      '+14255550100',
    );
    expect(storedValue(readPhoneNumber('+1 425', 'US'), '+1 425 ')).toBe('+1 425');
    expect(storedValue(readPhoneNumber('  ', 'US'), '  ')).toBe('');
    expect(savedAs(readPhoneNumber('020 7946 0958', 'GB'))).toBe(
      'Saved as +44 20 7946 0958 (+442079460958)',
    );
    expect(displayValue('+15551230000')).toBe('+15551230000');
    expect(displayValue('(425) 555')).toBe('(425) 555');
  });
});

describe('reading call targets', () => {
  it('takes app and Teams user ids as they are, numbers as E.164', () => {
    expect(readTarget('8:acs:resource_user-1', 'US')).toMatchObject({
      kind: 'user',
      id: '8:acs:resource_user-1',
    });
    expect(savedAs(readTarget('8:acs:resource_user-1', 'US'))).toBe(
      'Saved as a Communication Services app user',
    );
    expect(readTarget('8:orgid:0000', 'US')).toMatchObject({ kind: 'user' });
    expect(readTarget('4:+14255550100', 'GB')).toMatchObject({ e164: '+14255550100' });
    expect(readTarget('(425) 555-0100', 'US')).toMatchObject({ e164: '+14255550100' });
    expect(readTarget('8:acs', 'US')).toMatchObject({
      kind: 'problem',
      message: expect.stringMatching(/^That isn't a complete user id/),
    });
  });
});

describe('countries', () => {
  it('lists countries by name with their calling codes', () => {
    const list = countries();
    expect(list.find((c) => c.region === 'GB')).toEqual({
      region: 'GB',
      name: 'United Kingdom',
      callingCode: '+44',
    });
    expect(countryLabel('US')).toBe('United States +1');
    const names = list.map((c) => c.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en')));
    expect(exampleNumber('GB')).toBe('0121 234 5678');
  });

  it('defaults to the last choice, else the browser language’s region, else the United States', () => {
    expect(defaultCountry('FR', ['en-GB'])).toBe('FR');
    expect(defaultCountry(null, ['en-GB', 'de-DE'])).toBe('GB');
    expect(defaultCountry('nonsense', ['de'])).toBe('DE');
    expect(defaultCountry(null, ['en'])).toBe('US');
    expect(defaultCountry(null, ['not a tag!'])).toBe('US');
    expect(defaultCountry(null, [])).toBe('US');
  });
});
