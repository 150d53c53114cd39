/**
 * Phone numbers as analysts type them: national formats of a default country ("(425) 555-0100",
 * "020 7946 0958"), international ones with spaces, dashes or dots ("+44 20 7946 0958",
 * "0044 20 7946 0958"), read with libphonenumber's metadata (awesome-phonenumber) into the E.164
 * form configs store. Pure: no storage, no DOM; the component passes the country in.
 */
import {
  getCountryCodeForRegionCode,
  getExample,
  getRegionCodeForCountryCode,
  getSupportedRegionCodes,
  parsePhoneNumber,
  type ParsedPhoneNumber,
} from 'awesome-phonenumber';
import { E164, parseTarget } from '@switchboard/flow';

export interface Country {
  /** ISO 3166 region code, e.g. "GB". */
  region: string;
  /** "United Kingdom". */
  name: string;
  /** "+44". */
  callingCode: string;
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

export function countryName(region: string): string {
  try {
    return regionNames.of(region) ?? region;
  } catch {
    return region;
  }
}

let all: Country[] | undefined;
/** Every region libphonenumber knows, by English name. */
export function countries(): Country[] {
  all ??= getSupportedRegionCodes()
    .map((region) => ({
      region,
      name: countryName(region),
      callingCode: `+${getCountryCodeForRegionCode(region)}`,
    }))
    .sort((a, b) => a.name.localeCompare(b.name, 'en'));
  return all;
}

export function isCountry(region: string): boolean {
  return countries().some((c) => c.region === region);
}

/** "United Kingdom +44". */
export function countryLabel(region: string): string {
  return `${countryName(region)} +${getCountryCodeForRegionCode(region)}`;
}

/**
 * The country national numbers are read in: the analyst's last choice, else the region of the
 * browser's language ("en-GB" → GB; "en" → its likely region, US), else the United States.
 */
export function defaultCountry(lastChoice: string | null | undefined, locales: readonly string[]) {
  if (lastChoice && isCountry(lastChoice)) return lastChoice;
  for (const tag of locales) {
    try {
      const region = new Intl.Locale(tag).maximize().region;
      if (region && isCountry(region)) return region;
    } catch {
      // not a locale tag: try the next one
    }
  }
  return 'US';
}

/** A number of the country as its people write it, e.g. "020 7946 0958"; for placeholders. */
export function exampleNumber(region: string): string {
  const example = getExample(region, 'fixed-line');
  return example.number?.national ?? getExample(region).number?.national ?? '';
}

/** What a typed phone number saves, or why it cannot. */
export type PhoneReading =
  | { kind: 'empty' }
  | {
      kind: 'phoneNumber';
      e164: string;
      /** "+44 20 7946 0958". */
      international: string;
      /** Set when the number is well formed but not one libphonenumber knows to be in use. */
      caution?: string;
    }
  | { kind: 'user'; id: string; who: string }
  | { kind: 'problem'; message: string };

const SEPARATORS = /[\s().\-–/]/g;

function compact(text: string): string {
  return text.replace(SEPARATORS, '');
}

function read(text: string, region: string): ParsedPhoneNumber {
  const first = parsePhoneNumber(text, { regionCode: region });
  // "0044 20 …": 00 is the international prefix in most of the world, but libphonenumber only
  // reads the dialling country's own (011 from the US), so it is tried as a "+" too.
  const bare = compact(text);
  if (!first.valid && bare.startsWith('00')) {
    const plus = parsePhoneNumber(`+${bare.slice(2)}`);
    if (plus.valid || (plus.possible && !first.possible)) return plus;
  }
  return first;
}

function regionOf(parsed: ParsedPhoneNumber, fallback: string): string {
  if (parsed.regionCode) return parsed.regionCode;
  if (parsed.countryCode) {
    const region = getRegionCodeForCountryCode(parsed.countryCode);
    if (region && region !== 'ZZ') return region;
  }
  return fallback;
}

function significantDigits(parsed: ParsedPhoneNumber): number {
  return (parsed.number?.significant ?? '').replace(/\D/g, '').replace(/^0+/, '').length;
}

function exampleDigits(region: string): number {
  return (getExample(region, 'fixed-line').number?.significant ?? '').length;
}

function looksLike(region: string): string {
  const example = exampleNumber(region);
  return example ? ` ${countryName(region)} numbers look like ${example}.` : '';
}

/** Reads typed text as a phone number, national text in the given country. */
export function readPhoneNumber(text: string, region: string): PhoneReading {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'empty' };
  const parsed = read(trimmed, region);
  const where = regionOf(parsed, region);
  const name = countryName(where);
  if (parsed.valid) {
    return {
      kind: 'phoneNumber',
      e164: parsed.number.e164,
      international: parsed.number.international,
    };
  }
  // Written as "+" and digits, the number says its own country: a well-formed one the metadata
  // does not list (555 exchanges, new ranges) is kept, as ACS and the validator accept it.
  const bare = compact(trimmed);
  if (parsed.possibility === 'is-possible' && E164.test(bare)) {
    return {
      kind: 'phoneNumber',
      e164: bare,
      international: parsed.number?.international ?? bare,
      caution: `This doesn't look like a ${name} number in use; check the digits.`,
    };
  }
  if (!/\d/.test(trimmed)) {
    return { kind: 'problem', message: `That isn't a phone number.${looksLike(region)}` };
  }
  // libphonenumber calls some short national numbers possible (short codes); fewer digits than
  // the country's numbers have is what the analyst needs to hear.
  const short =
    parsed.possibility === 'too-short' ||
    (parsed.possibility === 'is-possible' && significantDigits(parsed) < exampleDigits(where));
  if (short) {
    return {
      kind: 'problem',
      message: `This isn't a complete ${name} number: it is too short.${looksLike(where)}`,
    };
  }
  switch (parsed.possibility) {
    case 'too-long':
      return {
        kind: 'problem',
        message: `This is too long for a ${name} number.${looksLike(where)}`,
      };
    case 'invalid-country-code':
      return bare.startsWith('+') || bare.startsWith('00')
        ? {
            kind: 'problem',
            message: 'No country has the calling code after the + (or 00). Check those digits.',
          }
        : { kind: 'problem', message: `That isn't a phone number.${looksLike(region)}` };
    default:
      return {
        kind: 'problem',
        message: `This isn't a valid ${name} number; check the digits.${looksLike(where)}`,
      };
  }
}

/**
 * Reads a call target: a Communication Services app user or Teams user id is taken as it is
 * (`parseTarget` decides what an id is), anything else as a phone number.
 */
export function readTarget(text: string, region: string): PhoneReading {
  const trimmed = text.trim();
  const target = trimmed ? parseTarget(trimmed) : null;
  // ACS's own spelling of a number ("4:+1425…") is still a number.
  if (target?.kind === 'phoneNumber') return readPhoneNumber(target.phoneNumber, region);
  if (target) {
    return {
      kind: 'user',
      id: trimmed,
      who:
        target.kind === 'communicationUser'
          ? 'a Communication Services app user'
          : 'a Microsoft Teams user',
    };
  }
  // "8:…" is the start of a user id, never of a phone number.
  if (/^\d+:/.test(trimmed) && !target) {
    return {
      kind: 'problem',
      message: "That isn't a complete user id. Paste the whole id of the app or Teams user.",
    };
  }
  return readPhoneNumber(trimmed, region);
}

/** What the config holds for a reading: E.164 for a number, the id of a user, else the text. */
export function storedValue(reading: PhoneReading, text: string): string {
  switch (reading.kind) {
    case 'empty':
      return '';
    case 'phoneNumber':
      return reading.e164;
    case 'user':
      return reading.id;
    case 'problem':
      return text.trim();
  }
}

/** How a stored value reads in the box: "+44 20 7946 0958" for a number it knows, else as is. */
export function displayValue(stored: string): string {
  if (!E164.test(stored)) return stored;
  const parsed = parsePhoneNumber(stored);
  return parsed.valid ? parsed.number.international : stored;
}

/** The line under the box: what will be saved, or nothing to say. */
export function savedAs(reading: PhoneReading): string | undefined {
  switch (reading.kind) {
    case 'phoneNumber':
      return reading.international === reading.e164
        ? `Saved as ${reading.e164}`
        : `Saved as ${reading.international} (${reading.e164})`;
    case 'user':
      return `Saved as ${reading.who}`;
    default:
      return undefined;
  }
}
