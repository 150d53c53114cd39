import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Select,
  Spinner,
  Tab,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  TabList,
  Text,
} from '@fluentui/react-components';
import { useCallback, useEffect, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import {
  api,
  ApiError,
  listAll,
  type ApiToken,
  type AuditEntry,
  type Role,
  type User,
} from '../api/client.js';
import { navigate, type AdminTab } from '../app/router.js';

const HUMAN_ROLES: Role[] = ['viewer', 'editor', 'publisher', 'admin'];
const TOKEN_ROLES: Role[] = ['runner', ...HUMAN_ROLES];

function message(e: unknown): string {
  return e instanceof ApiError ? e.describe() : String(e);
}
const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

/** Admin: users, API tokens and the audit log, over the engine's API. */
export function AdminPage({ tab }: { tab: AdminTab }) {
  return (
    <main className="sb-page">
      <Text as="h1" size={700} weight="semibold" block>
        Admin
      </Text>
      <TabList
        selectedValue={tab}
        onTabSelect={(_, d) => navigate({ page: 'admin', tab: d.value as AdminTab })}
        aria-label="Admin sections"
      >
        <Tab value="users">Users</Tab>
        <Tab value="tokens">API tokens</Tab>
        <Tab value="audit">Audit log</Tab>
      </TabList>
      {tab === 'users' && <UsersSection />}
      {tab === 'tokens' && <TokensSection />}
      {tab === 'audit' && <AuditSection />}
    </main>
  );
}

/** A confirmation that names what goes. */
function Confirm({
  title,
  children,
  action,
  onConfirm,
  onCancel,
}: {
  title: string;
  children: ReactNode;
  action: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <Dialog open onOpenChange={(_, d) => !d.open && onCancel()}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{title}</DialogTitle>
          <DialogContent>{children}</DialogContent>
          <DialogActions>
            <Button onClick={onCancel}>Cancel</Button>
            <Button appearance="primary" onClick={onConfirm}>
              {action}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

/** A secret the engine shows once. */
function ShownOnce({ label, value }: { label: string; value: string }) {
  return (
    <MessageBar intent="warning" layout="multiline">
      <MessageBarBody>
        <Text block>{label} — shown this once; copy it now:</Text>
        <code className="sb-secret" aria-label={label}>
          {value}
        </code>
      </MessageBarBody>
    </MessageBar>
  );
}

/**
 * The list a section shows, and its actions on it: an action refreshes the list when it succeeds
 * and becomes the section's error when it fails.
 */
function useManagedList<T>(load: () => Promise<T[]>) {
  const [items, setItems] = useState<T[]>();
  const [error, setError] = useState<string>();
  const refresh = useCallback(() => {
    load()
      .then(setItems)
      .catch((e: unknown) => setError(message(e)));
  }, [load]);
  useEffect(refresh, [refresh]);
  const act = useCallback(
    async (action: () => Promise<unknown>) => {
      setError(undefined);
      try {
        await action();
        refresh();
      } catch (e) {
        setError(message(e));
      }
    },
    [refresh],
  );
  return { items, error, act };
}

function ErrorBar({ error }: { error: string | undefined }) {
  return error ? (
    <MessageBar intent="error">
      <MessageBarBody>{error}</MessageBarBody>
    </MessageBar>
  ) : null;
}

const loadUsers = () => listAll((c) => api.listUsers(c));
const loadTokens = () => listAll((c) => api.listTokens(c));

function UsersSection() {
  const { items: users, error, act } = useManagedList<User>(loadUsers);
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<Role>('editor');
  const [password, setPassword] = useState('');
  const [created, setCreated] = useState<{ name: string; password?: string }>();
  const [deleting, setDeleting] = useState<User>();

  const create = (event: FormEvent) => {
    event.preventDefault();
    setCreated(undefined);
    void act(async () => {
      const user = await api.createUser({
        username: username.trim(),
        role: role as Exclude<Role, 'runner'>,
        ...(password ? { password } : {}),
      });
      setCreated({ name: user.username, password: user.password });
      setUsername('');
      setPassword('');
    });
  };

  const remove = (user: User) => {
    setDeleting(undefined);
    void act(() => api.deleteUser(user.id));
  };

  return (
    <section aria-label="Users" className="sb-admin__section">
      <ErrorBar error={error} />
      <form className="sb-bind" onSubmit={create} aria-label="Add a user">
        <Field label="User name" required>
          <Input value={username} onChange={(_, d) => setUsername(d.value)} />
        </Field>
        <Field label="Role">
          <Select value={role} onChange={(_, d) => setRole(d.value as Role)}>
            {HUMAN_ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Password" hint="Leave empty for a generated one">
          <Input type="password" value={password} onChange={(_, d) => setPassword(d.value)} />
        </Field>
        <Button type="submit" appearance="primary" disabled={!username.trim()}>
          Add user
        </Button>
      </form>
      {created?.password && (
        <ShownOnce label={`Password of ${created.name}`} value={created.password} />
      )}
      {created && !created.password && (
        <MessageBar intent="success">
          <MessageBarBody>Added {created.name}.</MessageBarBody>
        </MessageBar>
      )}
      {!users && !error && <Spinner label="Loading users" />}
      {users && (
        <Table aria-label="Users">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>User name</TableHeaderCell>
              <TableHeaderCell>Role</TableHeaderCell>
              <TableHeaderCell>Created</TableHeaderCell>
              <TableHeaderCell>Actions</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {users.map((u) => (
              <TableRow key={u.id}>
                <TableCell>{u.username}</TableCell>
                <TableCell>{u.role}</TableCell>
                <TableCell>
                  {when(u.createdAt)} by {u.createdBy}
                </TableCell>
                <TableCell>
                  <Button
                    size="small"
                    aria-label={`Delete ${u.username}`}
                    onClick={() => setDeleting(u)}
                  >
                    Delete
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {deleting && (
        <Confirm
          title={`Delete ${deleting.username}`}
          action="Delete"
          onCancel={() => setDeleting(undefined)}
          onConfirm={() => remove(deleting)}
        >
          {deleting.username} ({deleting.role}) can no longer sign in, and their open sessions end.
        </Confirm>
      )}
    </section>
  );
}

function TokensSection() {
  const { items: tokens, error, act } = useManagedList<ApiToken>(loadTokens);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('runner');
  const [created, setCreated] = useState<{ name: string; token: string }>();
  const [revoking, setRevoking] = useState<ApiToken>();

  const create = (event: FormEvent) => {
    event.preventDefault();
    setCreated(undefined);
    void act(async () => {
      const token = await api.createToken({ name: name.trim(), role });
      setCreated({ name: token.name, token: token.token });
      setName('');
    });
  };

  const revoke = (token: ApiToken) => {
    setRevoking(undefined);
    void act(() => api.revokeToken(token.id));
  };

  return (
    <section aria-label="API tokens" className="sb-admin__section">
      <ErrorBar error={error} />
      <form className="sb-bind" onSubmit={create} aria-label="Create a token">
        <Field label="Token name" required>
          <Input value={name} onChange={(_, d) => setName(d.value)} />
        </Field>
        <Field label="Role" hint="runner: for systems that start and watch calls">
          <Select value={role} onChange={(_, d) => setRole(d.value as Role)}>
            {TOKEN_ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </Select>
        </Field>
        <Button type="submit" appearance="primary" disabled={!name.trim()}>
          Create token
        </Button>
      </form>
      {created && <ShownOnce label={`Token ${created.name}`} value={created.token} />}
      {!tokens && !error && <Spinner label="Loading tokens" />}
      {tokens && (
        <Table aria-label="API tokens">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Name</TableHeaderCell>
              <TableHeaderCell>Role</TableHeaderCell>
              <TableHeaderCell>Starts with</TableHeaderCell>
              <TableHeaderCell>Created</TableHeaderCell>
              <TableHeaderCell>Last used</TableHeaderCell>
              <TableHeaderCell>Actions</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {tokens.map((t) => (
              <TableRow key={t.id}>
                <TableCell>{t.name}</TableCell>
                <TableCell>{t.role}</TableCell>
                <TableCell>
                  <code>{t.prefix}…</code>
                </TableCell>
                <TableCell>
                  {when(t.createdAt)} by {t.createdBy}
                </TableCell>
                <TableCell>{when(t.lastUsedAt)}</TableCell>
                <TableCell>
                  {t.revokedAt ? (
                    `Revoked ${when(t.revokedAt)}`
                  ) : (
                    <Button
                      size="small"
                      aria-label={`Revoke ${t.name}`}
                      onClick={() => setRevoking(t)}
                    >
                      Revoke
                    </Button>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {revoking && (
        <Confirm
          title={`Revoke ${revoking.name}`}
          action="Revoke"
          onCancel={() => setRevoking(undefined)}
          onConfirm={() => revoke(revoking)}
        >
          Systems using the token {revoking.prefix}… ({revoking.role}) are refused from now on.
        </Confirm>
      )}
    </section>
  );
}

/** The value of a datetime-local input as a time, or undefined when empty. */
const localTime = (value: string) => (value ? new Date(value).getTime() : undefined);

function AuditSection() {
  const [entries, setEntries] = useState<AuditEntry[]>();
  const [error, setError] = useState<string>();
  const [who, setWho] = useState('');
  const [what, setWhat] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  useEffect(() => {
    listAll((c) => api.listAudit(c))
      .then(setEntries)
      .catch((e: unknown) => setError(message(e)));
  }, []);
  const actors = useMemo(() => [...new Set(entries?.map((e) => e.actor))].sort(), [entries]);
  const actions = useMemo(() => [...new Set(entries?.map((e) => e.action))].sort(), [entries]);
  const shown = useMemo(() => {
    const after = localTime(from);
    const before = localTime(to);
    return (entries ?? []).filter((e) => {
      const at = new Date(e.at).getTime();
      return (
        (!who || e.actor === who) &&
        (!what || e.action === what) &&
        (after === undefined || at >= after) &&
        (before === undefined || at <= before)
      );
    });
  }, [entries, who, what, from, to]);

  return (
    <section aria-label="Audit log" className="sb-admin__section">
      <ErrorBar error={error} />
      <div className="sb-bind" role="group" aria-label="Filters">
        <Field label="Who">
          <Select value={who} onChange={(_, d) => setWho(d.value)}>
            <option value="">Anyone</option>
            {actors.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="What">
          <Select value={what} onChange={(_, d) => setWhat(d.value)}>
            <option value="">Anything</option>
            {actions.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="From">
          <Input type="datetime-local" value={from} onChange={(_, d) => setFrom(d.value)} />
        </Field>
        <Field label="To">
          <Input type="datetime-local" value={to} onChange={(_, d) => setTo(d.value)} />
        </Field>
      </div>
      {!entries && !error && <Spinner label="Loading the audit log" />}
      {entries && (
        <>
          <Text size={200} block>
            {shown.length} of {entries.length} entries
          </Text>
          <Table aria-label="Audit log entries">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>When</TableHeaderCell>
                <TableHeaderCell>Who</TableHeaderCell>
                <TableHeaderCell>What</TableHeaderCell>
                <TableHeaderCell>On</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {shown.slice(0, 500).map((e) => (
                <TableRow key={e.id}>
                  <TableCell>{when(e.at)}</TableCell>
                  <TableCell>{e.actor}</TableCell>
                  <TableCell>{e.action}</TableCell>
                  <TableCell>{e.target}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </>
      )}
    </section>
  );
}
