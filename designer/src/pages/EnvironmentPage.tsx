import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';
import { AddRegular, DeleteRegular, KeyRegular } from '@fluentui/react-icons';
import { ENVIRONMENT_NAME, ENVIRONMENT_NAME_MESSAGE } from '@switchboard/flow';
import { useCallback, useEffect, useState, type FormEvent, type ReactElement } from 'react';
import { api, ApiError, type EnvironmentValue, type SecretInfo } from '../api/client.js';
import { forgetEnvironmentNames } from '../editor/environmentNames.js';

function message(e: unknown): string {
  return e instanceof ApiError ? e.describe() : String(e);
}

const nameError = (name: string) =>
  name.trim() && !ENVIRONMENT_NAME.test(name.trim()) ? ENVIRONMENT_NAME_MESSAGE : undefined;

/**
 * This environment's values (`{{ env.NAME }}`) and secrets (`{{ secret.NAME }}`, in HTTP
 * headers). Secrets are write-only: the page shows who set one and when, never its value.
 */
export function EnvironmentPage() {
  const [values, setValues] = useState<EnvironmentValue[]>();
  const [secrets, setSecrets] = useState<SecretInfo[]>();
  const [keyConfigured, setKeyConfigured] = useState(true);
  const [error, setError] = useState<string>();

  const refresh = useCallback(() => {
    Promise.all([api.listEnvironmentValues(), api.listSecrets()])
      .then(([v, s]) => {
        setValues(v.items);
        setSecrets(s.items);
        setKeyConfigured(s.keyConfigured);
      })
      .catch((e: unknown) => setError(message(e)));
  }, []);
  useEffect(refresh, [refresh]);

  const run = async (work: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await work();
      forgetEnvironmentNames();
      refresh();
      return true;
    } catch (e) {
      setError(message(e));
      return false;
    }
  };

  return (
    <main className="sb-page">
      <Text as="h1" size={700} weight="semibold" block>
        Environment
      </Text>
      <Text block>
        Values and secrets of this environment. Flows refer to them by name — {'{{ env.NAME }}'}{' '}
        anywhere, {'{{ secret.NAME }}'} in HTTP request headers — so a version exported from here
        runs elsewhere with that environment&apos;s values.
      </Text>
      {error && (
        <MessageBar intent="error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}

      <Text as="h2" size={500} weight="semibold" block>
        Values
      </Text>
      <NameValueForm
        label="value"
        submit="Save value"
        icon={<AddRegular />}
        onSubmit={(name, value) => run(() => api.putEnvironmentValue(name, value))}
      />
      {!values && !error && <Spinner label="Loading values" />}
      {values && values.length > 0 && (
        <Table aria-label="Environment values">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Name</TableHeaderCell>
              <TableHeaderCell>Value</TableHeaderCell>
              <TableHeaderCell>Updated</TableHeaderCell>
              <TableHeaderCell>Actions</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {values.map((v) => (
              <TableRow key={v.name}>
                <TableCell>{v.name}</TableCell>
                <TableCell>{v.value}</TableCell>
                <TableCell>
                  {new Date(v.updatedAt).toLocaleString()} by {v.updatedBy}
                </TableCell>
                <TableCell>
                  <Button
                    size="small"
                    icon={<DeleteRegular />}
                    aria-label={`Delete ${v.name}`}
                    onClick={() => void run(() => api.deleteEnvironmentValue(v.name))}
                  >
                    Delete
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}

      <Text as="h2" size={500} weight="semibold" block>
        Secrets
      </Text>
      {!keyConfigured && (
        <MessageBar intent="warning">
          <MessageBarBody>
            Secrets cannot be stored until SWITCHBOARD_SECRETS_KEY is set on the engine.
          </MessageBarBody>
        </MessageBar>
      )}
      <NameValueForm
        label="secret"
        submit="Save secret"
        secret
        icon={<KeyRegular />}
        onSubmit={(name, value) => run(() => api.putSecret(name, value))}
      />
      {secrets && secrets.length > 0 && (
        <Table aria-label="Secrets">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Name</TableHeaderCell>
              <TableHeaderCell>Updated</TableHeaderCell>
              <TableHeaderCell>Actions</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {secrets.map((s) => (
              <TableRow key={s.name}>
                <TableCell>
                  {s.name}
                  {!s.readable && ' (sealed with another key: set it again)'}
                </TableCell>
                <TableCell>
                  {new Date(s.updatedAt).toLocaleString()} by {s.updatedBy}
                </TableCell>
                <TableCell>
                  <Button
                    size="small"
                    icon={<DeleteRegular />}
                    aria-label={`Delete secret ${s.name}`}
                    onClick={() => void run(() => api.deleteSecret(s.name))}
                  >
                    Delete
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </main>
  );
}

function NameValueForm(props: {
  label: string;
  submit: string;
  secret?: boolean;
  icon: ReactElement;
  onSubmit: (name: string, value: string) => Promise<boolean>;
}) {
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const error = nameError(name);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    const ok = await props.onSubmit(name.trim(), value);
    setBusy(false);
    if (ok) {
      setName('');
      setValue('');
    }
  };
  return (
    <form className="sb-bind" onSubmit={(e) => void submit(e)} aria-label={`Set a ${props.label}`}>
      <Field label="Name" validationMessage={error} validationState={error ? 'error' : 'none'}>
        <Input
          value={name}
          onChange={(_, d) => setName(d.value)}
          placeholder={props.secret ? 'CRM_TOKEN' : 'CRM_URL'}
          name={`${props.label}-name`}
        />
      </Field>
      <Field label={props.secret ? 'Value (write-only)' : 'Value'}>
        <Input
          value={value}
          type={props.secret ? 'password' : 'text'}
          autoComplete="off"
          onChange={(_, d) => setValue(d.value)}
          name={`${props.label}-value`}
        />
      </Field>
      <Button
        type="submit"
        appearance="primary"
        icon={props.icon}
        disabled={busy || !name.trim() || Boolean(error) || (props.secret && value === '')}
      >
        {props.submit}
      </Button>
    </form>
  );
}
