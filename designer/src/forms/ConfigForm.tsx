import {
  Button,
  Field,
  Input,
  Menu,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  Select,
  Switch,
  Textarea,
  Text,
} from '@fluentui/react-components';
import {
  AddRegular,
  BracesVariableRegular,
  ChevronDownRegular,
  ChevronRightRegular,
  DeleteRegular,
  OpenRegular,
} from '@fluentui/react-icons';
import { returnOutcomesOf, type FlowDocument } from '@switchboard/flow';
import {
  createContext,
  memo,
  useContext,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type ReactElement,
  type ReactNode,
} from 'react';
import type * as z from 'zod';
import {
  describeField,
  humanize,
  initialValue,
  nestedErrors,
  optionLabel,
  requiredNow,
  titleOf,
  type FieldInfo,
} from './schema.js';
import { DatePicker, TimePicker, TimeZonePicker, VoicePicker } from './pickers.js';
import {
  labelWithRequirement,
  PhoneNumberInput,
  type PhoneSuggestion,
} from './PhoneNumberInput.js';

export interface FormEnvironment {
  readOnly: boolean;
  /** Variable paths offered in template fields, e.g. "call.from", "vars.accountNumber". */
  variables: string[];
  /** `secret.NAME`s, offered only by fields whose meta allows secrets (HTTP headers). */
  secrets?: string[];
  /** Nodes of the flow, for fields that reference a node. */
  nodes: { id: string; type: string; label: string }[];
  /** Validator messages for this node's config, keyed by path below the config ("choices.0.label"). */
  issues: Map<string, string>;
  /** Published flows, for fields that call another flow (flowRef); absent: no choice offered. */
  flows?: FlowsAccess;
  /**
   * The workspace's own phone numbers (those bound to flows), offered by fields whose meta says
   * `ownNumber` (a caller ID must be a number the resource owns); absent: none offered.
   */
  ownNumbers?: () => Promise<PhoneSuggestion[]>;
}

/** What a flowRef field needs of the engine: published flows, their versions and documents. */
export interface FlowsAccess {
  list(): Promise<{ id: string; name: string; latestVersion: number | null }[]>;
  versions(flowId: string): Promise<number[]>;
  /** The document of a version (null: the latest published). */
  document(flowId: string, version: number | null): Promise<FlowDocument | undefined>;
  /** Opens the flow in the editor. */
  open(flowId: string): void;
}

const EnvironmentContext = createContext<FormEnvironment>({
  readOnly: false,
  variables: [],
  nodes: [],
  issues: new Map(),
});

interface FieldProps {
  path: string;
  label: string;
  info: FieldInfo;
  value: unknown;
  onChange: (value: unknown) => void;
  /** Messages from the field's own schema, keyed by path below this field ('' = the field). */
  errors: Map<string, string>;
  /** Inside a list or group: help text goes into a tooltip instead of under the field. */
  compact?: boolean;
  /** The config as it is needs this field (see `requiredNow`). */
  required?: boolean;
}

function below(errors: Map<string, string>, key: string | number): Map<string, string> {
  const prefix = `${key}`;
  const out = new Map<string, string>();
  for (const [path, message] of errors) {
    if (path === prefix) out.set('', message);
    else if (path.startsWith(`${prefix}.`)) out.set(path.slice(prefix.length + 1), message);
  }
  return out;
}

/**
 * The property form of one node, generated from its config schema: each field's title and help
 * text come from its meta, its editor from its `widget` meta or, without one, from its kind.
 */
export function ConfigForm({
  schema,
  value,
  onChange,
  environment,
}: {
  schema: z.ZodObject;
  value: Record<string, unknown>;
  onChange: (value: Record<string, unknown>) => void;
  environment: FormEnvironment;
}) {
  const fields = useMemo(
    () =>
      Object.entries(schema.shape).map(([key, s]) => [key, describeField(s as z.ZodType)] as const),
    [schema],
  );
  // Fields are memoized on their own value, so their callbacks must read the latest config.
  const latest = useRef({ value, onChange });
  useLayoutEffect(() => {
    latest.current = { value, onChange };
  });
  const field = ([key, info]: (typeof fields)[number]) => (
    <TopLevelField
      key={key}
      name={key}
      info={info}
      required={info.meta.requirement ? requiredNow(schema, value, key) : undefined}
      value={value[key]}
      onChange={(v) => {
        const next = { ...latest.current.value };
        if (v === undefined) delete next[key];
        else next[key] = v;
        latest.current.value = next;
        latest.current.onChange(next);
      }}
    />
  );
  const advanced = fields.filter(([, info]) => info.meta.advanced === true);
  // Open from the start when an advanced field holds something or has a problem: nothing set
  // may be hidden.
  const needed = advanced.some(
    ([key, info]) =>
      !isEmptyValue(value[key], info) ||
      [...environment.issues.keys()].some((p) => p === key || p.startsWith(`${key}.`)),
  );
  return (
    <EnvironmentContext.Provider value={environment}>
      <div className="sb-form">
        {fields.filter(([, info]) => info.meta.advanced !== true).map(field)}
        {advanced.length > 0 && (
          <AdvancedSection key={String(needed)} initiallyOpen={needed}>
            {advanced.map(field)}
          </AdvancedSection>
        )}
      </div>
    </EnvironmentContext.Provider>
  );
}

/** Whether a field holds nothing beyond its default ('' or an empty list counts as nothing). */
function isEmptyValue(value: unknown, info: FieldInfo): boolean {
  if (value === undefined || value === '' || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  const fallback = info.schema.safeParse(undefined);
  return fallback.success && JSON.stringify(fallback.data) === JSON.stringify(value);
}

function AdvancedSection({
  initiallyOpen,
  children,
}: {
  initiallyOpen: boolean;
  children: ReactNode;
}) {
  const [open, setOpen] = useState(initiallyOpen);
  return (
    <section className="sb-advanced" aria-label="Advanced settings">
      <Button
        appearance="transparent"
        size="small"
        icon={open ? <ChevronDownRegular /> : <ChevronRightRegular />}
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        Advanced
      </Button>
      {open && <div className="sb-advanced__fields">{children}</div>}
    </section>
  );
}

const TopLevelField = memo(
  function TopLevelField({
    name,
    info,
    value,
    onChange,
    required,
  }: {
    name: string;
    info: FieldInfo;
    value: unknown;
    onChange: (value: unknown) => void;
    required: boolean | undefined;
  }) {
    const { issues } = useContext(EnvironmentContext);
    const errors = useMemo(() => {
      const own = nestedErrors(info.schema, value);
      for (const [path, message] of below(issues, name)) if (!own.has(path)) own.set(path, message);
      return own;
    }, [info, value, issues, name]);
    return (
      <FieldEditor
        path={name}
        label={titleOf(info, name)}
        info={info}
        value={value}
        onChange={onChange}
        errors={errors}
        required={required}
      />
    );
  },
  (a, b) =>
    a.value === b.value && a.info === b.info && a.name === b.name && a.required === b.required,
);

function FieldEditor(props: FieldProps) {
  const { info } = props;
  // A list's widget says what its items are (a list of call targets): ArrayField passes it on.
  switch (info.kind === 'array' ? undefined : info.widget) {
    case 'template':
      return <TemplateField {...props} />;
    case 'target':
    case 'phoneNumber':
      return <PhoneField {...props} />;
    case 'nodeRef':
      return <NodeRefField {...props} />;
    case 'flowRef':
      return <FlowRefField {...props} />;
    case 'timeZone':
    case 'time':
    case 'date':
    case 'voice':
      return <PickerField {...props} />;
  }
  switch (info.kind) {
    case 'string':
      return <TextField {...props} />;
    case 'number':
      return <NumberField {...props} />;
    case 'boolean':
      return <BooleanField {...props} />;
    case 'enum':
      return <EnumField {...props} />;
    case 'array':
      return <ArrayField {...props} />;
    case 'object':
      return <ObjectField {...props} />;
    default:
      return <JsonField {...props} />;
  }
}

function Labelled({
  props,
  children,
  hint,
}: {
  props: FieldProps;
  children: ReactNode;
  hint?: string | ReactElement;
}) {
  const error = props.errors.get('');
  return (
    <Field
      label={labelWithRequirement(props.label, props.info.meta.requirement)}
      required={props.required}
      hint={hint ?? (props.compact ? undefined : props.info.meta.description)}
      title={props.compact ? props.info.meta.description : undefined}
      validationMessage={error}
      validationState={error ? 'error' : 'none'}
      className="sb-field"
    >
      {children}
    </Field>
  );
}

function TextField(props: FieldProps) {
  const { readOnly } = useContext(EnvironmentContext);
  return (
    <Labelled props={props}>
      <Input
        value={typeof props.value === 'string' ? props.value : ''}
        placeholder={props.info.meta.placeholder}
        readOnly={readOnly}
        onChange={(_, d) => props.onChange(d.value)}
        name={props.path}
      />
    </Labelled>
  );
}

const PICKERS = {
  timeZone: TimeZonePicker,
  time: TimePicker,
  date: DatePicker,
  voice: VoicePicker,
};

function PickerField(props: FieldProps) {
  const { readOnly } = useContext(EnvironmentContext);
  const Picker = PICKERS[props.info.widget as keyof typeof PICKERS];
  return (
    <Labelled props={props}>
      <Picker
        value={typeof props.value === 'string' ? props.value : ''}
        onChange={props.onChange}
        readOnly={readOnly}
        name={props.path}
        label={props.label}
      />
    </Labelled>
  );
}

function PhoneField(props: FieldProps) {
  const { readOnly, ownNumbers } = useContext(EnvironmentContext);
  const [suggestions, setSuggestions] = useState<PhoneSuggestion[]>();
  const offers = props.info.meta.ownNumber === true && !readOnly ? ownNumbers : undefined;
  useEffect(() => {
    let live = true;
    offers?.()
      .then((s) => live && setSuggestions(s))
      .catch(() => live && setSuggestions(undefined));
    return () => {
      live = false;
    };
  }, [offers]);
  return (
    <PhoneNumberInput
      value={typeof props.value === 'string' ? props.value : ''}
      onChange={props.onChange}
      accepts={props.info.widget === 'phoneNumber' ? 'phoneNumber' : 'target'}
      label={props.label}
      description={props.compact ? undefined : props.info.meta.description}
      requirement={props.info.meta.requirement}
      required={props.required}
      error={props.errors.get('')}
      readOnly={readOnly}
      name={props.path}
      placeholder={props.info.meta.placeholder}
      suggestions={suggestions}
    />
  );
}

function TemplateField(props: FieldProps) {
  const { readOnly, variables: plain, secrets } = useContext(EnvironmentContext);
  const variables = props.info.meta.secrets === true && secrets ? [...plain, ...secrets] : plain;
  const ref = useRef<HTMLTextAreaElement>(null);
  const text = typeof props.value === 'string' ? props.value : '';
  const insert = (variable: string) => {
    const el = ref.current;
    const token = `{{ ${variable} }}`;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    props.onChange(text.slice(0, start) + token + text.slice(end));
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + token.length, start + token.length);
    });
  };
  return (
    <div className="sb-template">
      <Labelled props={props}>
        <Textarea
          ref={ref}
          value={text}
          readOnly={readOnly}
          resize="vertical"
          onChange={(_, d) => props.onChange(d.value)}
          name={props.path}
        />
      </Labelled>
      {!readOnly && variables.length > 0 && (
        <Menu>
          <MenuTrigger disableButtonEnhancement>
            <Button
              size="small"
              appearance="subtle"
              icon={<BracesVariableRegular />}
              aria-label={`Insert a variable into ${props.label}`}
            >
              Insert variable
            </Button>
          </MenuTrigger>
          <MenuPopover>
            <MenuList>
              {variables.map((v) => (
                <MenuItem key={v} onClick={() => insert(v)}>
                  {v}
                </MenuItem>
              ))}
            </MenuList>
          </MenuPopover>
        </Menu>
      )}
    </div>
  );
}

function NumberField(props: FieldProps) {
  const { readOnly } = useContext(EnvironmentContext);
  const { info } = props;
  return (
    <Labelled props={props}>
      <Input
        type="number"
        value={typeof props.value === 'number' ? String(props.value) : ''}
        readOnly={readOnly}
        min={info.min}
        max={info.max}
        step={info.integer ? 1 : 'any'}
        onChange={(_, d) => props.onChange(d.value === '' ? undefined : Number(d.value))}
        name={props.path}
      />
    </Labelled>
  );
}

function BooleanField(props: FieldProps) {
  const { readOnly } = useContext(EnvironmentContext);
  return (
    <Labelled props={props}>
      <Switch
        checked={props.value === true}
        disabled={readOnly}
        onChange={(_, d) => props.onChange(d.checked)}
        name={props.path}
      />
    </Labelled>
  );
}

function EnumField(props: FieldProps) {
  const { readOnly } = useContext(EnvironmentContext);
  const options = props.info.options ?? [];
  const value = props.value === undefined ? '' : String(props.value);
  return (
    <Labelled props={props}>
      <Select
        value={value}
        disabled={readOnly}
        onChange={(_, d) => {
          const option = options.find((o) => String(o) === d.value);
          props.onChange(option === undefined && d.value === '' ? undefined : (option ?? d.value));
        }}
        name={props.path}
      >
        {props.info.optional || !options.some((o) => String(o) === value) ? (
          <option value="" />
        ) : null}
        {options.map((o) => (
          <option key={String(o)} value={String(o)}>
            {optionLabel(props.info, o)}
          </option>
        ))}
      </Select>
    </Labelled>
  );
}

function NodeRefField(props: FieldProps) {
  const { readOnly, nodes } = useContext(EnvironmentContext);
  const wanted = props.info.meta.nodeType;
  const candidates = nodes.filter((n) => !wanted || n.type === wanted);
  const value = typeof props.value === 'string' ? props.value : '';
  return (
    <Labelled props={props}>
      <Select
        value={value}
        disabled={readOnly}
        onChange={(_, d) => props.onChange(d.value)}
        name={props.path}
      >
        <option value="">(choose a node)</option>
        {candidates.map((n) => (
          <option key={n.id} value={n.id}>
            {n.label} ({n.id})
          </option>
        ))}
        {value && !candidates.some((n) => n.id === value) && <option value={value}>{value}</option>}
      </Select>
    </Labelled>
  );
}

interface FlowRefValue {
  flowId: string;
  version: number | null;
  flowName: string;
  returns: { outcome: string }[];
}

function asFlowRef(value: unknown): FlowRefValue {
  const v = (value ?? {}) as Partial<FlowRefValue>;
  return {
    flowId: typeof v.flowId === 'string' ? v.flowId : '',
    version: typeof v.version === 'number' ? v.version : null,
    flowName: typeof v.flowName === 'string' ? v.flowName : '',
    returns: Array.isArray(v.returns) ? v.returns : [],
  };
}

/**
 * A published flow and its version (pinned, or the latest published). Choosing one reads that
 * version's Return nodes, which become the node's outcomes; "Open subflow" opens the flow.
 */
function FlowRefField(props: FieldProps) {
  const { readOnly, flows } = useContext(EnvironmentContext);
  const value = asFlowRef(props.value);
  const [choices, setChoices] =
    useState<{ id: string; name: string; latestVersion: number | null }[]>();
  const [versions, setVersions] = useState<number[]>([]);
  const [problem, setProblem] = useState<string>();
  useEffect(() => {
    let live = true;
    flows
      ?.list()
      .then((list) => live && setChoices(list.filter((f) => f.latestVersion !== null)))
      .catch((e: unknown) => live && setProblem(String((e as Error).message ?? e)));
    return () => {
      live = false;
    };
  }, [flows]);
  useEffect(() => {
    let live = true;
    if (flows && value.flowId) {
      flows
        .versions(value.flowId)
        .then((v) => live && setVersions(v))
        .catch(() => live && setVersions([]));
    }
    return () => {
      live = false;
    };
  }, [flows, value.flowId]);
  const choose = async (flowId: string, version: number | null) => {
    if (!flows || !flowId) {
      props.onChange({ ...value, flowId: '', flowName: '', version: null, returns: [] });
      return;
    }
    const name = choices?.find((f) => f.id === flowId)?.name ?? value.flowName;
    try {
      const doc = await flows.document(flowId, version);
      const returns = doc ? returnOutcomesOf(doc).map((o) => ({ outcome: o.label })) : [];
      setProblem(undefined);
      props.onChange({ flowId, version, flowName: name, returns });
    } catch (e) {
      setProblem(`Could not read that version: ${(e as Error).message}`);
    }
  };
  const error = props.errors.get('') ?? props.errors.get('flowId') ?? problem;
  const known = choices?.some((f) => f.id === value.flowId) ?? false;
  return (
    <Field
      label={props.label}
      hint={props.info.meta.description}
      validationMessage={error}
      validationState={error ? 'error' : 'none'}
      className="sb-field sb-flowref"
    >
      <div className="sb-flowref__row">
        <Select
          aria-label="Flow to call"
          value={value.flowId}
          disabled={readOnly || !flows}
          onChange={(_, d) => void choose(d.value, null)}
          name={`${props.path}.flowId`}
        >
          <option value="">(choose a published flow)</option>
          {value.flowId && !known && (
            <option value={value.flowId}>{value.flowName || value.flowId}</option>
          )}
          {(choices ?? []).map((f) => (
            <option key={f.id} value={f.id}>
              {f.name}
            </option>
          ))}
        </Select>
        <Select
          aria-label="Version to call"
          value={value.version === null ? 'latest' : String(value.version)}
          disabled={readOnly || !flows || !value.flowId}
          onChange={(_, d) =>
            void choose(value.flowId, d.value === 'latest' ? null : Number(d.value))
          }
          name={`${props.path}.version`}
        >
          <option value="latest">Latest published</option>
          {value.version !== null && !versions.includes(value.version) && (
            <option value={String(value.version)}>Version {value.version}</option>
          )}
          {versions.map((v) => (
            <option key={v} value={String(v)}>
              Version {v}
            </option>
          ))}
        </Select>
      </div>
      <Text size={200} block className="sb-flowref__outcomes">
        {value.flowId
          ? `Outcomes: ${value.returns.map((r) => r.outcome).join(', ') || 'none'}, Failed`
          : 'Choose a flow that starts with “Subflow start”'}
      </Text>
      {flows && value.flowId && (
        <Button
          size="small"
          icon={<OpenRegular />}
          onClick={() => flows.open(value.flowId)}
          aria-label="Open subflow"
        >
          Open subflow
        </Button>
      )}
    </Field>
  );
}

function itemNoun(label: string): string {
  const singular = label.replace(/ies$/, 'y').replace(/s$/, '');
  return singular || 'Item';
}

function ArrayField(props: FieldProps) {
  const { readOnly } = useContext(EnvironmentContext);
  const items = Array.isArray(props.value) ? (props.value as unknown[]) : [];
  const element = props.info.element!;
  const itemWidget = props.info.widget;
  const elementInfo = useMemo(() => {
    const info = describeField(element);
    // "a list of call targets": items with no widget of their own take the list's.
    return info.widget || info.kind !== 'string' ? info : { ...info, widget: itemWidget };
  }, [element, itemWidget]);
  // A list with no title of its own (e.g. one day's opening periods) names its items by kind.
  const noun = props.info.meta.title ? itemNoun(props.label) : 'Period';
  const error = props.errors.get('');
  const set = (index: number, v: unknown) => {
    const next = [...items];
    next[index] = v;
    props.onChange(next);
  };
  const remove = (index: number) => props.onChange(items.filter((_, i) => i !== index));
  const add = () => props.onChange([...items, initialValue(element)]);
  return (
    <fieldset className="sb-array" aria-label={props.label}>
      <legend className="sb-legend">{props.label}</legend>
      {props.info.meta.description && (
        <Text size={200} className="sb-help">
          {props.info.meta.description}
        </Text>
      )}
      {items.map((item, index) => {
        const itemLabel = `${noun} ${index + 1}`;
        const itemErrors = below(props.errors, index);
        return (
          <div key={index} className="sb-array__item" role="group" aria-label={itemLabel}>
            {elementInfo.kind === 'object' && (
              <Text size={200} weight="semibold" className="sb-array__caption">
                {itemLabel}
              </Text>
            )}
            <div className="sb-array__fields">
              {elementInfo.kind === 'object' ? (
                <ObjectFields
                  path={`${props.path}.${index}`}
                  info={elementInfo}
                  value={item}
                  onChange={(v) => set(index, v)}
                  errors={itemErrors}
                  compact
                />
              ) : (
                <FieldEditor
                  path={`${props.path}.${index}`}
                  label={itemLabel}
                  info={elementInfo}
                  value={item}
                  onChange={(v) => set(index, v)}
                  errors={itemErrors}
                  compact
                />
              )}
            </div>
            {!readOnly && (
              <Button
                size="small"
                appearance="subtle"
                icon={<DeleteRegular />}
                aria-label={`Remove ${itemLabel.toLowerCase()}`}
                title={`Remove ${itemLabel.toLowerCase()}`}
                onClick={() => remove(index)}
              />
            )}
          </div>
        );
      })}
      {error && (
        <Text size={200} className="sb-error" role="alert">
          {error}
        </Text>
      )}
      {!readOnly && (
        <Button size="small" icon={<AddRegular />} onClick={add}>
          Add {noun.toLowerCase()}
        </Button>
      )}
    </fieldset>
  );
}

function ObjectFields({ path, info, value, onChange, errors }: Omit<FieldProps, 'label'>) {
  const record = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  return (
    <>
      {Object.entries(info.shape ?? {}).map(([key, schema]) => {
        const child = describeField(schema);
        return (
          <FieldEditor
            key={key}
            path={`${path}.${key}`}
            label={titleOf(child, key)}
            info={child}
            value={record[key]}
            onChange={(v) => {
              const next = { ...record };
              if (v === undefined) delete next[key];
              else next[key] = v;
              onChange(next);
            }}
            errors={below(errors, key)}
            compact
          />
        );
      })}
    </>
  );
}

function ObjectField(props: FieldProps) {
  const error = props.errors.get('');
  return (
    <fieldset
      className={`sb-object sb-widget-${props.info.widget ?? 'object'}`}
      aria-label={props.label}
    >
      <legend className="sb-legend">{props.label}</legend>
      {props.info.meta.description && (
        <Text size={200} className="sb-help">
          {props.info.meta.description}
        </Text>
      )}
      <ObjectFields {...props} />
      {error && (
        <Text size={200} className="sb-error" role="alert">
          {error}
        </Text>
      )}
    </fieldset>
  );
}

function JsonField(props: FieldProps) {
  const { readOnly } = useContext(EnvironmentContext);
  return (
    <Labelled props={props}>
      <Textarea
        defaultValue={JSON.stringify(props.value ?? null, null, 2)}
        readOnly={readOnly}
        onBlur={(e) => {
          try {
            props.onChange(JSON.parse(e.currentTarget.value));
          } catch {
            // keep the last valid value
          }
        }}
        name={props.path}
      />
    </Labelled>
  );
}

export { humanize };
