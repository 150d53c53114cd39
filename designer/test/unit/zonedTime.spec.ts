import { describe, expect, it } from 'vitest';
import {
  wallTimeAt,
  wallTimeToIso,
  weekdayOf,
  zoneOffsetMinutes,
} from '../../src/calls/zonedTime.js';

describe('wall time in a zone → ISO with offset', () => {
  it.each([
    // winter and summer in Los Angeles
    ['2026-12-08', '10:00', 'America/Los_Angeles', '2026-12-08T10:00:00-08:00'],
    ['2026-07-14', '10:00', 'America/Los_Angeles', '2026-07-14T10:00:00-07:00'],
    // the day DST starts (8 March 2026): before and after the jump
    ['2026-03-08', '01:30', 'America/Los_Angeles', '2026-03-08T01:30:00-08:00'],
    ['2026-03-08', '03:30', 'America/Los_Angeles', '2026-03-08T03:30:00-07:00'],
    // half-hour zones, east of UTC, UTC itself, the southern hemisphere
    ['2026-12-08', '10:00', 'Asia/Kolkata', '2026-12-08T10:00:00+05:30'],
    ['2026-06-01', '09:15', 'Europe/Paris', '2026-06-01T09:15:00+02:00'],
    ['2026-06-01', '09:15', 'UTC', '2026-06-01T09:15:00+00:00'],
    ['2026-01-10', '08:00', 'Australia/Sydney', '2026-01-10T08:00:00+11:00'],
    ['2026-03-08', '23:45', 'America/St_Johns', '2026-03-08T23:45:00-02:30'],
  ])('%s %s in %s is %s', (date, time, zone, iso) => {
    expect(wallTimeToIso(date, time, zone)).toBe(iso);
    // and the instant reads back as that wall time in the zone
    expect(wallTimeAt(zone, Date.parse(iso))).toEqual({ date, time });
  });

  it('moves a wall time the zone skips on by the gap, as a clock would', () => {
    // 02:30 does not exist in Los Angeles on 8 March 2026
    expect(wallTimeToIso('2026-03-08', '02:30', 'America/Los_Angeles')).toBe(
      '2026-03-08T03:30:00-07:00',
    );
  });

  it('takes the first of a wall time the zone repeats', () => {
    // 01:30 happens twice in Los Angeles on 1 November 2026
    expect(wallTimeToIso('2026-11-01', '01:30', 'America/Los_Angeles')).toBe(
      '2026-11-01T01:30:00-07:00',
    );
  });

  it('refuses what is not a date and a time', () => {
    expect(() => wallTimeToIso('8/12/2026', '10:00', 'UTC')).toThrow(RangeError);
  });

  it('reads offsets and weekdays', () => {
    expect(zoneOffsetMinutes(Date.parse('2026-12-08T18:00:00Z'), 'America/Los_Angeles')).toBe(-480);
    expect(weekdayOf('2026-12-08')).toBe('Tuesday');
    expect(weekdayOf('2026-12-13')).toBe('Sunday');
  });
});
