import {
  Button,
  Card,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Text,
} from '@fluentui/react-components';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.js';
import { navigate } from '../app/router.js';
import { useSession } from '../app/session.js';

export function LoginPage({ next }: { next?: string }) {
  const login = useSession((s) => s.login);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await login(username.trim(), password);
      navigate(next ?? '/', { replace: true });
    } catch (e) {
      setError(
        e instanceof ApiError && (e.status === 401 || e.status === 400)
          ? 'The user name or password is not right.'
          : e instanceof ApiError
            ? e.describe()
            : String(e),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sb-login">
      <Card className="sb-login__card">
        <form onSubmit={(e) => void submit(e)} aria-label="Sign in">
          <Text as="h1" size={600} weight="semibold" block>
            Switchboard
          </Text>
          <Text block>Sign in to design call flows.</Text>
          {error && (
            <MessageBar intent="error">
              <MessageBarBody>{error}</MessageBarBody>
            </MessageBar>
          )}
          <Field label="User name" required>
            <Input
              value={username}
              onChange={(_, d) => setUsername(d.value)}
              autoComplete="username"
              autoFocus
            />
          </Field>
          <Field label="Password" required>
            <Input
              type="password"
              value={password}
              onChange={(_, d) => setPassword(d.value)}
              autoComplete="current-password"
            />
          </Field>
          <Button appearance="primary" type="submit" disabled={busy || !username || !password}>
            {busy ? 'Signing in…' : 'Sign in'}
          </Button>
        </form>
      </Card>
    </main>
  );
}
