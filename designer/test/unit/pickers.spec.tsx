import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { CountryPicker, TimeZonePicker, timeZones, VoicePicker } from '../../src/forms/pickers.js';

function harness(Picker: typeof TimeZonePicker, initial: string) {
  const values: string[] = [];
  function Harness() {
    const [value, setValue] = useState(initial);
    return (
      <Picker
        value={value}
        label="Pick"
        name="pick"
        readOnly={false}
        onChange={(v) => {
          values.push(v);
          setValue(v);
        }}
      />
    );
  }
  render(
    <FluentProvider theme={webLightTheme}>
      <Harness />
    </FluentProvider>,
  );
  return values;
}

describe('pickers', () => {
  it('knows the IANA zones with their cities', () => {
    const london = timeZones().find((z) => z.id === 'Europe/London');
    expect(london?.city).toBe('London');
    expect(timeZones().find((z) => z.id === 'America/New_York')?.city).toBe('New York');
  });

  it('finds Europe/London by typing "London"', async () => {
    const values = harness(TimeZonePicker, 'America/Los_Angeles');
    const box = screen.getByRole('combobox', { name: 'Pick' });
    await userEvent.click(box);
    await userEvent.clear(box);
    await userEvent.type(box, 'London');
    const option = await screen.findByRole('option', { name: /^London — Europe\/London/ });
    await userEvent.click(option);
    expect(values.at(-1)).toBe('Europe/London');
  });

  it('groups voices by language', async () => {
    const values = harness(VoicePicker, 'en-US-JennyNeural');
    const box = screen.getByRole('combobox', { name: 'Pick' });
    await userEvent.click(box);
    await userEvent.clear(box);
    await userEvent.type(box, 'French');
    expect(screen.getAllByRole('option')).toHaveLength(4);
    await userEvent.click(screen.getByRole('option', { name: /Sylvie/ }));
    expect(values.at(-1)).toBe('fr-CA-SylvieNeural');
  });

  it('finds a country by name or calling code, shown with its code', async () => {
    const values: string[] = [];
    function Harness() {
      const [value, setValue] = useState('US');
      return (
        <CountryPicker
          value={value}
          label="Country"
          disabled={false}
          onChange={(v) => {
            values.push(v);
            setValue(v);
          }}
        />
      );
    }
    render(
      <FluentProvider theme={webLightTheme}>
        <Harness />
      </FluentProvider>,
    );
    const box = screen.getByRole('combobox', { name: 'Country' });
    expect((box as HTMLInputElement).value).toBe('United States +1');
    await userEvent.click(box);
    await userEvent.clear(box);
    await userEvent.type(box, '+44');
    const names = screen.getAllByRole('option').map((o) => o.textContent);
    expect(names).toContain('United Kingdom +44');
    expect(names.every((n) => n?.includes('+44'))).toBe(true);
    await userEvent.clear(box);
    await userEvent.type(box, 'united');
    // Names that start with the text come first.
    expect(
      screen
        .getAllByRole('option')
        .slice(0, 4)
        .map((o) => o.textContent),
    ).toEqual(expect.arrayContaining(['United Kingdom +44', 'United States +1']));
    await userEvent.click(screen.getByRole('option', { name: 'United Kingdom +44' }));
    expect(values.at(-1)).toBe('GB');
    expect((box as HTMLInputElement).value).toBe('United Kingdom +44');
  });
});
