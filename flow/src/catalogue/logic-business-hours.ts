import * as z from 'zod';
import {
  businessHoursState,
  isValidTimeZone,
  parseClock,
  WEEKDAYS,
  type WeeklyHours,
} from '../business-hours.js';
import { defineNodeType } from './types.js';

const clock = z.string().refine((s) => !Number.isNaN(parseClock(s)), {
  error: 'Use a 24-hour time such as 09:00 or 17:30',
});

const range = z
  .strictObject({
    from: clock.meta({ title: 'From', description: 'Opening time, e.g. 09:00', widget: 'time' }),
    to: clock.meta({
      title: 'To',
      description: 'Closing time, e.g. 17:00 (24:00 = midnight)',
      widget: 'time',
    }),
  })
  .refine(
    (r) => {
      const from = parseClock(r.from);
      const to = parseClock(r.to);
      // A malformed time is reported on its own field.
      return Number.isNaN(from) || Number.isNaN(to) || from < to;
    },
    { error: 'The closing time must be after the opening time', path: ['to'] },
  );

const day = z.array(range).max(6);
const nineToFive = [{ from: '09:00', to: '17:00' }];

const weeklySchema = z.strictObject({
  mon: day,
  tue: day,
  wed: day,
  thu: day,
  fri: day,
  sat: day,
  sun: day,
});

const DAY_NAMES = {
  mon: 'Mon',
  tue: 'Tue',
  wed: 'Wed',
  thu: 'Thu',
  fri: 'Fri',
  sat: 'Sat',
  sun: 'Sun',
};

export const businessHours = defineNodeType({
  type: 'logic.businessHours',
  version: 1,
  label: 'Business hours',
  category: 'Logic',
  icon: 'Clock',
  description: 'Checks whether the business is open now, closed, or on a holiday',
  configSchema: z.strictObject({
    timezone: z
      .string()
      .refine(isValidTimeZone, {
        error: 'Choose a time zone such as America/New_York or Europe/Paris',
      })
      .default('America/New_York')
      .meta({
        title: 'Time zone',
        description: 'Where the opening hours are kept: a city or a time zone',
        widget: 'timeZone',
      }),
    weekly: weeklySchema
      .default({
        mon: nineToFive,
        tue: nineToFive,
        wed: nineToFive,
        thu: nineToFive,
        fri: nineToFive,
        sat: [],
        sun: [],
      })
      .meta({
        title: 'Opening hours',
        description: 'Open periods for each day of the week',
        widget: 'weeklyHours',
      }),
    holidays: z
      .array(
        z.iso
          .date({ error: 'Use a date written as YYYY-MM-DD, e.g. 2026-12-25' })
          .meta({ title: 'Date', description: 'A day the business is closed', widget: 'date' }),
      )
      .max(366)
      .default([])
      .meta({
        title: 'Holidays',
        description: 'Dates when the business is closed all day',
        widget: 'holidays',
      }),
  }),
  outcomes: [
    { id: 'open', label: 'Open' },
    { id: 'closed', label: 'Closed' },
    { id: 'holiday', label: 'Holiday' },
  ],
  callControl: 'none',
  waits: false,
  summary: (c) => {
    const open = WEEKDAYS.filter((d) => c.weekly[d].length > 0).map((d) => DAY_NAMES[d]);
    const first = c.weekly[WEEKDAYS.find((d) => c.weekly[d].length > 0) ?? 'mon'][0];
    return open.length === 0
      ? 'Always closed'
      : `${open.join(', ')}${first ? ` ${first.from}–${first.to}` : ''} (${c.timezone})`;
  },
  // The first hour from `near` that is open, that is closed, and a noon on a holiday.
  sampleClocks: (c, near) => {
    const state = (t: number) =>
      businessHoursState(t, c.timezone, c.weekly as WeeklyHours, c.holidays);
    const found = new Map<string, number>();
    const hour = 3_600_000;
    for (let t = near; t < near + 8 * 24 * hour && found.size < 2; t += hour) {
      const s = state(t);
      if (s !== 'holiday' && !found.has(s)) found.set(s, t);
    }
    for (const date of c.holidays) {
      const noon = Date.parse(`${date}T12:00:00Z`);
      const t = [0, -12, 12, -6, 6].map((h) => noon + h * hour).find((x) => state(x) === 'holiday');
      if (t !== undefined) {
        found.set('holiday', t);
        break;
      }
    }
    return [...found.values()];
  },
  run: (ctx) =>
    businessHoursState(
      ctx.now,
      ctx.config.timezone,
      ctx.config.weekly as WeeklyHours,
      ctx.config.holidays,
    ),
});
