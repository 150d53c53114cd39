import {
  Button,
  Field,
  Input,
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

function message(e: unknown): string {
  return e instanceof ApiError ? e.describe() : String(e);
}

/** Numbers and ACS identities bound to a flow (latest published version, or a pinned one). */
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

  const addressError =
    address.trim() && !parseTarget(address.trim())
      ? 'Enter a phone number in international format (+14255550100) or an ACS user id (8:acs:…)'
      : undefined;

  const bind = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api.bindEntryPoint(address.trim(), flowId, version ? Number(version) : undefined);
      setAddress('');
      refresh();
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };

  const unbind = async (ep: EntryPoint) => {
    try {
      await api.unbindEntryPoint(ep.address);
      refresh();
    } catch (e) {
      setError(message(e));
    }
  };

  const flowName = (id: string) => flows.find((f) => f.id === id)?.name ?? id;

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
        <form className="sb-bind" onSubmit={(e) => void bind(e)} aria-label="Bind an entry point">
          <Field
            label="Number or identity"
            validationMessage={addressError}
            validationState={addressError ? 'error' : 'none'}
          >
            <Input
              value={address}
              onChange={(_, d) => setAddress(d.value)}
              placeholder="+14255550100"
            />
          </Field>
          <Field label="Flow">
            <Select
              value={flowId}
              onChange={(_, d) => {
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
            disabled={busy || !address.trim() || Boolean(addressError) || !flowId}
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
                      onClick={() => void unbind(ep)}
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
    </main>
  );
}
