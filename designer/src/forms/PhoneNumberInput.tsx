/**
 * The one box an analyst types a phone number (or, for call targets, a user id) into: national
 * formats of a default country or international ones, saved as E.164. Under it: what will be
 * saved ("Saved as +44 20 7946 0958 (+442079460958)") or, in plain words, what is wrong.
 * Forms, the Entry points page and the test panel all use it.
 */
import { Button, Field, FieldContextProvider, Input, Text } from '@fluentui/react-components';
import { AddRegular } from '@fluentui/react-icons';
import { useState, type ReactElement } from 'react';
import { CountryPicker } from './pickers.js';
import {
  defaultCountry,
  displayValue,
  exampleNumber,
  readPhoneNumber,
  readTarget,
  savedAs,
  storedValue,
  type PhoneReading,
} from './phoneNumbers.js';

const COUNTRY_KEY = 'switchboard.phoneCountry';

function lastCountry(): string | null {
  try {
    return localStorage.getItem(COUNTRY_KEY);
  } catch {
    return null;
  }
}

function rememberCountry(region: string): void {
  try {
    localStorage.setItem(COUNTRY_KEY, region);
  } catch {
    // Storage disabled: the choice lasts as long as the box.
  }
}

/** The analyst's default country for national numbers (see `defaultCountry`). */
export function analystCountry(): string {
  const locales = typeof navigator === 'undefined' ? [] : (navigator.languages ?? []);
  return defaultCountry(lastCountry(), locales.length ? locales : [navigator.language]);
}

export interface PhoneSuggestion {
  /** E.164. */
  value: string;
  /** Why it is offered, e.g. the flow it answers with. */
  label: string;
}

export interface PhoneNumberInputProps {
  /** What the config holds: E.164, a user id (targets), typed text that is not yet a number. */
  value: string;
  onChange: (value: string) => void;
  /** `target`: a user id of a Communication Services app or Teams user is accepted as well. */
  accepts: 'phoneNumber' | 'target';
  label: string;
  /** Help under the box. */
  description?: string;
  /** When the field is needed, shown next to the label from the start. */
  requirement?: string;
  required?: boolean;
  /** A problem the box cannot see itself (the flow's validator, a rule across fields). */
  error?: string;
  readOnly?: boolean;
  name?: string;
  placeholder?: string;
  /** Numbers to pick with one click (a caller ID from the workspace's own numbers). */
  suggestions?: PhoneSuggestion[];
  className?: string;
}

/** A field label with its requirement ("Needed when calling a phone number") beside it. */
export function labelWithRequirement(
  label: string,
  requirement: string | undefined,
): string | ReactElement {
  if (!requirement) return label;
  return (
    <>
      {label}
      <span className="sb-requirement"> · {requirement}</span>
    </>
  );
}

export function PhoneNumberInput(props: PhoneNumberInputProps) {
  const { value, onChange, accepts } = props;
  const [country, setCountry] = useState(analystCountry);
  const [text, setText] = useState(() => displayValue(value));
  // What this box last saved: a different value came from elsewhere (undo, a merge, a reload).
  const [saved, setSaved] = useState(value);
  if (value !== saved) {
    setSaved(value);
    setText(displayValue(value));
  }
  const read = (t: string, region: string): PhoneReading =>
    accepts === 'target' ? readTarget(t, region) : readPhoneNumber(t, region);
  const reading = read(text, country);

  const commit = (t: string, region: string) => {
    const next = storedValue(read(t, region), t);
    setSaved(next);
    if (next !== value) onChange(next);
  };

  const problem = reading.kind === 'problem' ? reading.message : undefined;
  const caution = reading.kind === 'phoneNumber' ? reading.caution : undefined;
  const message = problem ?? props.error ?? caution;
  const state = problem || props.error ? 'error' : caution ? 'warning' : 'none';
  const saying = savedAs(reading);
  const example = exampleNumber(country);
  const placeholder =
    props.placeholder ??
    (accepts === 'target' ? `e.g. ${example}, or a user id` : `e.g. ${example}`);
  const offered = (props.suggestions ?? []).filter((s) => s.value !== value);

  return (
    <div className={`sb-phone ${props.className ?? ''}`}>
      <Field
        label={labelWithRequirement(props.label, props.requirement)}
        required={props.required}
        validationMessage={message}
        validationState={state}
        hint={
          saying || props.description ? (
            <>
              {saying && (
                <span className="sb-phone__saved" data-testid="phone-saved-as">
                  {saying}
                </span>
              )}
              {saying && props.description && <br />}
              {props.description}
            </>
          ) : undefined
        }
        className="sb-field"
      >
        <div className="sb-phone__row">
          {/* The country picker is its own control: the field's label and hint are the number's. */}
          <FieldContextProvider value={undefined}>
            <CountryPicker
              value={country}
              label={`Country for ${props.label}`}
              disabled={props.readOnly === true}
              onChange={(region) => {
                setCountry(region);
                rememberCountry(region);
                commit(text, region);
              }}
            />
          </FieldContextProvider>
          <Input
            className="sb-phone__number"
            value={text}
            readOnly={props.readOnly}
            placeholder={placeholder}
            onChange={(_, d) => {
              setText(d.value);
              commit(d.value, country);
            }}
            name={props.name}
            inputMode={accepts === 'phoneNumber' ? 'tel' : 'text'}
            autoComplete="off"
          />
        </div>
      </Field>
      {!props.readOnly && offered.length > 0 && (
        <div className="sb-phone__suggestions" role="group" aria-label={`Suggested ${props.label}`}>
          <Text size={200}>Your numbers:</Text>
          {offered.map((s) => (
            <Button
              key={s.value}
              size="small"
              appearance="outline"
              icon={<AddRegular />}
              title={s.label}
              onClick={() => {
                setSaved(s.value);
                setText(displayValue(s.value));
                onChange(s.value);
              }}
            >
              {`${displayValue(s.value)} · ${s.label}`}
            </Button>
          ))}
        </div>
      )}
    </div>
  );
}
