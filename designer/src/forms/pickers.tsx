/**
 * Pickers for the field kinds a catalogue field names with its `widget` meta: time zones (by
 * city or zone), times of day, dates and Azure neural voices (by language). Each one writes the
 * same plain value a text box would (an IANA zone, "HH:MM", "YYYY-MM-DD", a voice name), so the
 * document and the validator are unchanged. Also the phone-number box's default country.
 */
import {
  Combobox,
  Input,
  Option,
  OptionGroup,
  type ComboboxProps,
} from '@fluentui/react-components';
import { NEURAL_VOICES } from '@switchboard/flow';
import { useMemo, useState } from 'react';
import { countries, countryLabel, isCountry } from './phoneNumbers.js';

interface PickerProps {
  value: string;
  onChange: (value: string) => void;
  readOnly: boolean;
  name: string;
  label: string;
}

/** How many options a search shows at once (typing narrows it). */
const SHOWN = 60;

const normalize = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();

/**
 * What the search pickers share: the text typed filters the options (`needle`, accents and case
 * folded), picking an option sets the value, and leaving the box shows the value again.
 */
function useSearch(shown: string, onChange: (value: string) => void) {
  const [query, setQuery] = useState<string>();
  const combobox: Pick<ComboboxProps, 'value' | 'onChange' | 'onOptionSelect' | 'onBlur'> = {
    value: query ?? shown,
    onChange: (e) => setQuery(e.target.value),
    onOptionSelect: (_, d) => {
      // Typing clears the selection (an event with no option): keep the typed text then.
      if (!d.optionValue) return;
      onChange(d.optionValue);
      setQuery(undefined);
    },
    onBlur: () => setQuery(undefined),
  };
  return { needle: normalize((query ?? '').trim()), combobox };
}

interface Zone {
  id: string;
  /** "Europe/London" → "London", "America/Argentina/Buenos_Aires" → "Buenos Aires". */
  city: string;
  region: string;
  search: string;
}

let zones: Zone[] | undefined;
/** Every IANA zone the browser knows, with its city, searchable by either. */
export function timeZones(): Zone[] {
  if (zones) return zones;
  const ids = Intl.supportedValuesOf('timeZone');
  if (!ids.includes('UTC')) ids.push('UTC');
  zones = ids.map((id) => {
    const parts = id.split('/');
    const city = parts[parts.length - 1]!.replace(/_/g, ' ');
    const region = parts.length > 1 ? parts[0]!.replace(/_/g, ' ') : '';
    return { id, city, region, search: normalize(`${id} ${city} ${region}`) };
  });
  return zones;
}

/** "GMT+01:00" now, for telling zones apart. */
function offsetOf(zone: string): string {
  try {
    return (
      new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
        .formatToParts(new Date())
        .find((p) => p.type === 'timeZoneName')?.value ?? ''
    );
  } catch {
    return '';
  }
}

export function TimeZonePicker({ value, onChange, readOnly, name, label }: PickerProps) {
  const { needle, combobox } = useSearch(value, onChange);
  const matches = useMemo(() => {
    const all = timeZones();
    const found = needle
      ? all
          .filter((z) => z.search.includes(needle))
          // A city that starts with the text first ("Lon" → London before Barcelona).
          .sort(
            (a, b) =>
              Number(!normalize(a.city).startsWith(needle)) -
                Number(!normalize(b.city).startsWith(needle)) || a.id.localeCompare(b.id),
          )
      : all;
    return found.slice(0, SHOWN);
  }, [needle]);
  return (
    <Combobox
      aria-label={label}
      name={name}
      disabled={readOnly}
      placeholder="Type a city or a time zone, e.g. London"
      selectedOptions={value ? [value] : []}
      {...combobox}
    >
      {matches.map((z) => (
        <Option key={z.id} value={z.id} text={z.id}>
          {`${z.city}${z.region ? ` — ${z.id}` : ''} (${offsetOf(z.id)})`}
        </Option>
      ))}
    </Combobox>
  );
}

/** Every half hour of the day, and 24:00 for "until midnight". */
const TIMES = Array.from(
  { length: 49 },
  (_, i) => `${String(Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'}`,
);

/** A time of day: pick a half hour or type any HH:MM. */
export function TimePicker({ value, onChange, readOnly, name, label }: PickerProps) {
  return (
    <Combobox
      aria-label={label}
      name={name}
      freeform
      disabled={readOnly}
      placeholder="HH:MM"
      value={value}
      selectedOptions={TIMES.includes(value) ? [value] : []}
      onChange={(e) => onChange(e.target.value.trim())}
      onOptionSelect={(_, d) => d.optionValue && onChange(d.optionValue)}
      className="sb-time-picker"
    >
      {TIMES.map((t) => (
        <Option key={t} value={t}>
          {t === '24:00' ? '24:00 (midnight)' : t}
        </Option>
      ))}
    </Combobox>
  );
}

/** A calendar date with the browser's date picker; the value stays YYYY-MM-DD. */
export function DatePicker({ value, onChange, readOnly, name, label }: PickerProps) {
  return (
    <Input
      type="date"
      aria-label={label}
      name={name}
      readOnly={readOnly}
      value={value}
      onChange={(_, d) => onChange(d.value)}
    />
  );
}

const languageNames = new Intl.DisplayNames(['en'], {
  type: 'language',
  // "French (Canada)", not "Canadian French": voices of one language sort together.
  languageDisplay: 'standard',
});
const languageOf = (locale: string) => {
  try {
    return languageNames.of(locale) ?? locale;
  } catch {
    return locale;
  }
};
/** "en-GB-SoniaNeural" → "Sonia". */
const voiceName = (voice: string) =>
  voice
    .split('-')
    .slice(2)
    .join('-')
    .replace(/Neural$/, '');

/** An Azure neural voice, grouped by language, searchable by name or language. */
export function VoicePicker({ value, onChange, readOnly, name, label }: PickerProps) {
  const { needle, combobox } = useSearch(value, onChange);
  const groups = useMemo(() => {
    const byLocale = new Map<string, { name: string; gender: string }[]>();
    for (const voice of NEURAL_VOICES) {
      const language = languageOf(voice.locale);
      if (needle && !normalize(`${voice.name} ${language}`).includes(needle)) continue;
      const list = byLocale.get(voice.locale) ?? [];
      list.push(voice);
      byLocale.set(voice.locale, list);
    }
    return [...byLocale].map(([locale, voices]) => ({
      locale,
      language: languageOf(locale),
      voices,
    }));
  }, [needle]);
  const known = NEURAL_VOICES.some((v) => v.name === value);
  return (
    <Combobox
      aria-label={label}
      name={name}
      disabled={readOnly}
      placeholder="Type a name or a language, e.g. French"
      selectedOptions={value ? [value] : []}
      {...combobox}
    >
      {!known && value && (
        <OptionGroup label="Set in this flow">
          <Option value={value}>{value}</Option>
        </OptionGroup>
      )}
      {groups.map((g) => (
        <OptionGroup key={g.locale} label={`${g.language} · ${g.locale}`}>
          {g.voices.map((voice) => (
            <Option key={voice.name} value={voice.name} text={voice.name}>
              {`${voiceName(voice.name)} (${voice.gender}) — ${voice.name}`}
            </Option>
          ))}
        </OptionGroup>
      ))}
    </Combobox>
  );
}

/** A country, found by name, region code or calling code ("united", "GB", "+44"). */
export function CountryPicker({
  value,
  label,
  disabled,
  onChange,
}: {
  value: string;
  label: string;
  disabled: boolean;
  onChange: (region: string) => void;
}) {
  const { needle, combobox } = useSearch(isCountry(value) ? countryLabel(value) : value, onChange);
  const matches = useMemo(() => {
    if (!needle) return countries();
    return countries()
      .filter((c) =>
        normalize(`${c.name} ${c.region} ${c.callingCode}`).includes(needle.replace(/^00/, '+')),
      )
      .sort(
        (a, b) =>
          Number(!normalize(a.name).startsWith(needle)) -
            Number(!normalize(b.name).startsWith(needle)) || a.name.localeCompare(b.name),
      );
  }, [needle]);
  return (
    <Combobox
      className="sb-phone__country"
      aria-label={label}
      disabled={disabled}
      selectedOptions={[value]}
      {...combobox}
      listbox={{ className: 'sb-phone__countries' }}
    >
      {matches.map((c) => (
        <Option key={c.region} value={c.region} text={`${c.name} ${c.callingCode}`}>
          {`${c.name} ${c.callingCode}`}
        </Option>
      ))}
    </Combobox>
  );
}
