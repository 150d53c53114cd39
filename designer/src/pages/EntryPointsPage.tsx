import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  MessageBar,
  MessageBarBody,
  Select,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';
import { LinkRegular, DeleteRegular } from '@fluentui/react-icons';
import { parseTarget } from '@switchboard/flow';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import {
  api,
  ApiError,
  hasRole,
  listAll,
  type EntryPoint,
  type FlowSummary,
  type VersionSummary,
} from '../api/client.js';
import { useSession } from '../app/session.js';
import { PhoneNumberInput } from '../forms/PhoneNumberInput.js';
import { rebindSentence, unbindSentence } from '../entry-points/liveChanges.js';

/** A change to a live number, waiting for the user to confirm it. */
type Pending =
  | { kind: 'rebind'; entryPoint: EntryPoint; sentence: string }
  | { kind: 'unbind'; entryPoint: EntryPoint; sentence: string };

/** The address as the engine stores it (E.164, or the user's id), to find it among the bound. */
function normalised(address: string): string | undefined {
  const target = parseTarget(address.trim());
  if (target?.kind === 'phoneNumber') return target.phoneNumber;
  return target && 'id' in target ? target.id : undefined;
}

function message(e: unknown): string {
  return e instanceof ApiError ? e.describe() : String(e);
}

/** Numbers and app users bound to a flow (latest published version, or a pinned one). */
export function EntryPointsPage() {
  const canBind = hasRole(
    useSession((s) => s.me?.role),
    'publisher',
  );
  const [entryPoints, setEntryPoints] = useState<EntryPoint[]>();
  const [flows, setFlows] = useState<FlowSummary[]>([]);
  const [error, setError] = useState<string>();
  const [address, setAddress] = useState('');
  const [flowId, setFlowId] = useState('');
  const [versions, setVersions] = useState<VersionSummary[]>([]);
  const [version, setVersion] = useState('');
  const [busy, setBusy] = useState(false);
  const [pending, setPending] = useState<Pending>();

  const refresh = useCallback(() => {
    Promise.all([listAll((c) => api.listEntryPoints(c)), listAll((c) => api.listFlows(c))])
      .then(([eps, fls]) => {
        setEntryPoints(eps);
        setFlows(fls.filter((f) => !f.archivedAt));
      })
      .catch((e: unknown) => setError(message(e)));
  }, []);
  useEffect(refresh, [refresh]);

  useEffect(() => {
    if (!flowId) return;
    listAll((c) => api.listVersions(flowId, c))
      .then((v) => setVersions([...v].sort((a, b) => b.version - a.version)))
      .catch((e: unknown) => setError(message(e)));
  }, [flowId]);

  // The box says what is wrong with the text; binding waits for a number or a user id.
  const addressReady = parseTarget(address.trim()) !== null;

  const flowName = (id: string) => flows.find((f) => f.id === id)?.name ?? id;

  const doBind = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.bindEntryPoint(address.trim(), flowId, version ? Number(version) : undefined);
      setAddress('');
      setPending(undefined);
      refresh();
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };

  // A number that already answers calls is re-pointed only after saying what changes.
  const bind = (event: FormEvent) => {
    event.preventDefault();
    const key = normalised(address);
    const existing = entryPoints?.find((ep) => ep.address === key);
    if (!existing) {
      void doBind();
      return;
    }
    const followsLatest = !version;
    const next = followsLatest
      ? versions.reduce((max, v) => Math.max(max, v.version), 0) || null
      : Number(version);
    setPending({
      kind: 'rebind',
      entryPoint: existing,
      sentence: rebindSentence(existing, {
        flowName: flowName(flowId),
        version: next,
        followsLatest,
      }),
    });
  };

  const unbind = async (ep: EntryPoint) => {
    setBusy(true);
    try {
      await api.unbindEntryPoint(ep.address);
      setPending(undefined);
      refresh();
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sb-page">
      <Text as="h1" size={700} weight="semibold" block>
        Entry points
      </Text>
      <Text block>Calls to these numbers and identities start the bound flow.</Text>
      {error && (
        <MessageBar intent="error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
      {canBind && (
        <form className="sb-bind" onSubmit={bind} aria-label="Bind an entry point">
          <PhoneNumberInput
            accepts="target"
            label="Number or identity"
            description="A number of this workspace, or the id of a Communication Services app user"
            value={address}
            onChange={setAddress}
          />
          <Field label="Flow">
            <Select
              value={flowId}
              onChange={(_, d) => {
                // The same flow again keeps its versions (the effect would not load them anew).
                if (d.value === flowId) return;
                setFlowId(d.value);
                setVersion('');
                setVersions([]);
              }}
            >
              <option value="">(choose a flow)</option>
              {flows.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.name}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Version">
            <Select value={version} onChange={(_, d) => setVersion(d.value)} disabled={!flowId}>
              <option value="">Latest published</option>
              {versions.map((v) => (
                <option key={v.version} value={String(v.version)}>
                  Version {v.version}
                </option>
              ))}
            </Select>
          </Field>
          <Button
            type="submit"
            appearance="primary"
            icon={<LinkRegular />}
            disabled={busy || !addressReady || !flowId}
          >
            Bind
          </Button>
        </form>
      )}
      {!entryPoints && !error && <Spinner label="Loading entry points" />}
      {entryPoints && entryPoints.length === 0 && <Text block>No numbers are bound yet.</Text>}
      {entryPoints && entryPoints.length > 0 && (
        <Table aria-label="Entry points">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Number or identity</TableHeaderCell>
              <TableHeaderCell>Flow</TableHeaderCell>
              <TableHeaderCell>Version</TableHeaderCell>
              {canBind && <TableHeaderCell>Actions</TableHeaderCell>}
            </TableRow>
          </TableHeader>
          <TableBody>
            {entryPoints.map((ep) => (
              <TableRow key={ep.address}>
                <TableCell>{ep.address}</TableCell>
                <TableCell>{ep.flowName ?? flowName(ep.flowId)}</TableCell>
                <TableCell>
                  {ep.version
                    ? `Version ${ep.version} (pinned)`
                    : ep.effectiveVersion
                      ? `Latest (version ${ep.effectiveVersion})`
                      : 'Latest (not published yet)'}
                </TableCell>
                {canBind && (
                  <TableCell>
                    <Button
                      size="small"
                      icon={<DeleteRegular />}
                      aria-label={`Unbind ${ep.address}`}
                      onClick={() =>
                        setPending({ kind: 'unbind', entryPoint: ep, sentence: unbindSentence(ep) })
                      }
                    >
                      Unbind
                    </Button>
                  </TableCell>
                )}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      <Dialog
        open={pending !== undefined}
        onOpenChange={(_, d) => !d.open && setPending(undefined)}
      >
        <DialogSurface>
          <DialogBody>
            <DialogTitle>
              {pending?.kind === 'unbind' ? 'Unbind a live number' : 'Re-point a live number'}
            </DialogTitle>
            <DialogContent>
              <Text block>{pending?.sentence}</Text>
              <Text block>
                Calls that arrive after this use the change; calls in progress go on.
              </Text>
            </DialogContent>
            <DialogActions>
              <Button onClick={() => setPending(undefined)}>Cancel</Button>
              <Button
                appearance="primary"
                disabled={busy}
                onClick={() =>
                  void (pending?.kind === 'unbind' ? unbind(pending.entryPoint) : doBind())
                }
              >
                {pending?.kind === 'unbind' ? 'Unbind' : 'Re-point'}
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </main>
  );
}
