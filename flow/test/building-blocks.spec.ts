import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  businessHoursState,
  digitToTone,
  CallEventSchema,
  evaluateCondition,
  formatTarget,
  parseTarget,
  phoneNumberField,
  targetField,
  tonesToDigits,
  undialableNumber,
  PHONE_NUMBER_MESSAGE,
  TARGET_MESSAGE,
  type Operator,
} from '../src/index.js';
import { parseTemplate, renderParsed, TemplateCache } from '../src/templates.js';

describe('parseTarget', () => {
  it.each([
    ['+14255550100', { kind: 'phoneNumber', phoneNumber: '+14255550100' }],
    ['4:+14255550100', { kind: 'phoneNumber', phoneNumber: '+14255550100' }],
    ['8:acs:res_user', { kind: 'communicationUser', id: '8:acs:res_user' }],
    ['8:orgid:1234-abcd', { kind: 'microsoftTeamsUser', id: '8:orgid:1234-abcd' }],
  ])('reads %s', (s, expected) => expect(parseTarget(s)).toEqual(expected));

  it.each([
    '',
    '14255550100',
    '+04255550100',
    '+1425555010012345',
    '8:acs:',
    'sip:bob@example.com',
    '+1 425 555 0100',
  ])('rejects %j', (s) => expect(parseTarget(s)).toBeNull());

  it('field helpers carry analyst messages', () => {
    expect(phoneNumberField.safeParse('0612').error?.issues[0]?.message).toBe(PHONE_NUMBER_MESSAGE);
    expect(targetField.safeParse('bob').error?.issues[0]?.message).toBe(TARGET_MESSAGE);
    expect(targetField.safeParse('8:acs:x_y').success).toBe(true);
    // Well formed, but no phone could dial it: one plain message, on the canvas too.
    expect(phoneNumberField.safeParse('+1425').error?.issues.map((i) => i.message)).toEqual([
      'This number is too short for its country (+1): check the digits',
    ]);
    expect(targetField.safeParse('+1425').success).toBe(false);
  });

  it('formats targets for summaries', () => {
    expect(formatTarget('+14255550100')).toBe('+1 425 555 0100');
    // Every country grouped by its own rule, not only +1.
    expect(formatTarget('+33612345678')).toBe('+33 6 12 34 56 78');
    expect(formatTarget('+442079460958')).toBe('+44 20 7946 0958');
    // A number libphonenumber cannot group stays as written.
    expect(formatTarget('+999123')).toBe('+999123');
  });

  it('says in plain words why a well-formed number cannot be dialled', () => {
    expect(undialableNumber('+1425')).toMatch(/too short for its country \(\+1\)/);
    expect(undialableNumber('+1425555010012345')).toMatch(/too long/);
    expect(undialableNumber('+999123456')).toMatch(/No country has the calling code/);
    // Dialable, and numbers the metadata does not list (fictional 555 ones) are left to ACS.
    expect(undialableNumber('+14255550100')).toBeUndefined();
    expect(undialableNumber('+15551230000')).toBeUndefined();
  });

  it('accepts exactly the E.164 numbers (property)', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(parseTarget(s)?.kind === 'phoneNumber' && !s.startsWith('4:')).toBe(
          /^\+[1-9]\d{1,14}$/.test(s),
        );
      }),
    );
  });
});

describe('CallEventSchema', () => {
  it('accepts engine events and rejects unknown types', () => {
    const ok = CallEventSchema.safeParse({
      id: 'evt-1',
      type: 'RecognizeFailed',
      operationContext: 'run:2',
      resultInformation: {
        code: 400,
        subCode: 8510,
        message: 'Action failed, initial silence timeout reached.',
      },
    });
    expect(ok.success).toBe(true);
    expect(CallEventSchema.safeParse({ id: 'x', type: 'Ringing' }).success).toBe(false);
  });
});

describe('DTMF tones', () => {
  it('maps digits to the tone names ACS takes, and back', () => {
    for (const d of ['0', '1', '9', '#', '*', 'A', 'D']) {
      const tone = digitToTone(d);
      expect(tone).toMatch(/^[a-z]+$/);
      expect(tonesToDigits([tone!])).toBe(d);
    }
    expect(digitToTone('#')).toBe('pound');
    expect(digitToTone('x')).toBeUndefined();
  });

  it('maps ACS tone names and characters to digits', () => {
    expect(tonesToDigits(['one', 'two', 'zero', 'pound', 'asterisk', '5', 'A', 'bogus'])).toBe(
      '120#*5A',
    );
  });
});

describe('branch conditions', () => {
  it.each<[string, Operator, string, boolean]>([
    ['abc', 'equals', ' abc ', true],
    ['abc', 'notEquals', 'abd', true],
    ['hello world', 'contains', 'lo w', true],
    ['hello', 'notContains', 'z', true],
    ['+14255550100', 'startsWith', '+1', true],
    ['report.pdf', 'endsWith', '.pdf', true],
    ['10', 'greaterThan', '9', true],
    ['10', 'lessThan', '9', false],
    ['abc', 'greaterThan', '1', false],
    ['5', 'greaterOrEqual', '5', true],
    ['5', 'lessOrEqual', '4.5', false],
    ['', 'isEmpty', 'ignored', true],
    ['  ', 'isEmpty', '', true],
    ['x', 'isNotEmpty', '', true],
    ['1234', 'matchesDigits', 'XXXX', true],
    ['1234', 'matchesDigits', '12XX', true],
    ['1234', 'matchesDigits', '13XX', false],
    ['123', 'matchesDigits', 'XXXX', false],
    ['12a4', 'matchesDigits', '', false],
    ['987', 'matchesDigits', '', true],
  ])('%j %s %j → %s', (l, op, r, expected) => expect(evaluateCondition(l, op, r)).toBe(expected));
});

describe('business hours', () => {
  const week = {
    mon: [
      { from: '09:00', to: '12:00' },
      { from: '13:00', to: '17:00' },
    ],
    tue: [],
    wed: [],
    thu: [],
    fri: [],
    sat: [{ from: '00:00', to: '24:00' }],
    sun: [],
  };
  it.each([
    ['2026-03-02T14:00:00Z', 'America/New_York', 'open'], // Mon 09:00
    ['2026-03-02T17:30:00Z', 'America/New_York', 'closed'], // Mon 12:30 lunch
    ['2026-03-02T21:59:00Z', 'America/New_York', 'open'], // Mon 16:59
    ['2026-03-08T04:59:00Z', 'America/New_York', 'open'], // Sat 23:59
    ['2026-03-02T14:00:00Z', 'Asia/Tokyo', 'closed'], // Mon 23:00 in Tokyo
  ])('%s in %s is %s', (at, tz, expected) => {
    expect(businessHoursState(Date.parse(at), tz, week, [])).toBe(expected);
  });
  it('holidays win over opening hours, by local date', () => {
    // 2026-03-02T02:00Z is still Sunday 1 March in New York.
    expect(
      businessHoursState(Date.parse('2026-03-02T14:00:00Z'), 'America/New_York', week, [
        '2026-03-02',
      ]),
    ).toBe('holiday');
    expect(
      businessHoursState(Date.parse('2026-03-02T02:00:00Z'), 'America/New_York', week, [
        '2026-03-02',
      ]),
    ).toBe('closed');
  });
});

describe('templates', () => {
  const scope = {
    call: {
      from: '+15551234567',
      to: '+18005550100',
      callerDisplayName: 'Ann',
      correlationId: 'c',
    },
    vars: { name: 'Bob', n: '3', empty: '' },
    results: { menu: { digits: '1', code: 200, outcome: 'choice:1', at: 0 } },
  };

  it('renders the common case without Liquid exactly as Liquid does (property)', () => {
    const path = fc.constantFrom(
      'call.from',
      'call.callerDisplayName',
      'vars.name',
      'vars.missing',
      'vars.name.size',
      'results.menu.digits',
      'results.menu.code',
      'results.menu',
      'results.nothere.digits',
      'vars',
      'call.from.first',
    );
    const text = fc.string({
      unit: fc.constantFrom('a', ' ', '{', '}', '%', '-', '.', 'é'),
      maxLength: 6,
    });
    const part = fc.oneof(
      text,
      path.map((p) => `{{ ${p} }}`),
      path.map((p) => `{{${p}}}`),
      path.map((p) => `{{- ${p} -}}`),
    );
    fc.assert(
      fc.property(fc.array(part, { maxLength: 6 }), (parts) => {
        const t = parts.join('');
        const parsed = parseTemplate(t);
        const cache = new TemplateCache();
        const mine = cache.render(t, scope);
        if (!parsed.ok) {
          expect(mine.ok).toBe(false);
          return;
        }
        expect(mine).toEqual({ ok: true, text: renderParsed(parsed.template, scope) });
      }),
      { numRuns: 500 },
    );
  });

  it('reports render errors instead of throwing', () => {
    expect(new TemplateCache().render('{{ call.from ', scope).ok).toBe(false);
  });
});
