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
  Link,
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
import {
  AddRegular,
  ArchiveRegular,
  ArrowDownloadRegular,
  ArrowUploadRegular,
  RenameRegular,
} from '@fluentui/react-icons';
import { useCallback, useEffect, useRef, useState, type ChangeEvent } from 'react';
import {
  api,
  ApiError,
  hasRole,
  listAll,
  type EntryPoint,
  type FlowSummary,
} from '../api/client.js';
import { navigate } from '../app/router.js';
import { useSession } from '../app/session.js';
import { LiveBadge } from '../entry-points/LiveBadge.js';
import { answersWith, liveVersions } from '../entry-points/liveChanges.js';
import { formatTarget } from '@switchboard/flow';

function message(e: unknown): string {
  return e instanceof ApiError ? e.describe() : e instanceof Error ? e.message : String(e);
}

/** Flows: create, open, rename, import a JSON file, export, archive. */
export function FlowListPage() {
  const role = useSession((s) => s.me?.role);
  const canEdit = hasRole(role, 'editor');
  const isAdmin = hasRole(role, 'admin');
  const [flows, setFlows] = useState<FlowSummary[]>();
  const [entryPoints, setEntryPoints] = useState<EntryPoint[]>([]);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [dialog, setDialog] = useState<
    | { kind: 'create' }
    | { kind: 'rename'; flow: FlowSummary }
    | { kind: 'archive'; flow: FlowSummary }
  >();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  const refresh = useCallback(() => {
    listAll((cursor) => api.listFlows(cursor))
      .then((items) => setFlows(items.filter((f) => !f.archivedAt)))
      .catch((e: unknown) => setError(message(e)));
    // Which versions answer calls (the live badges, and what archiving would affect).
    listAll((cursor) => api.listEntryPoints(cursor))
      .then(setEntryPoints)
      .catch(() => setEntryPoints([]));
  }, []);
  useEffect(refresh, [refresh]);
  const boundTo = (flowId: string) => entryPoints.filter((ep) => ep.flowId === flowId);

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      setDialog(undefined);
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };

  const create = () =>
    run(async () => {
      const flow = await api.createFlow(name.trim());
      navigate({ page: 'editor', flowId: flow.id });
    });

  const rename = (flow: FlowSummary) =>
    run(async () => {
      const detail = await api.getFlow(flow.id);
      await api.saveDraft(flow.id, { ...detail.draft, name: name.trim() }, detail.revision);
      setNotice(`Renamed to “${name.trim()}”.`);
      refresh();
    });

  const archive = (flow: FlowSummary) =>
    run(async () => {
      await api.archiveFlow(flow.id);
      setNotice(`Archived “${flow.name}”.`);
      refresh();
    });

  const importFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    await run(async () => {
      let document: unknown;
      try {
        document = JSON.parse(await file.text());
      } catch {
        throw new Error(`${file.name} is not a JSON file.`);
      }
      const flow = await api.importFlow(document);
      setNotice(`Imported “${flow.name}”.`);
      refresh();
    });
  };

  return (
    <main className="sb-page">
      <div className="sb-page__header">
        <Text as="h1" size={700} weight="semibold">
          Flows
        </Text>
        {canEdit && (
          <div className="sb-page__actions">
            <Button
              appearance="primary"
              icon={<AddRegular />}
              onClick={() => {
                setName('');
                setDialog({ kind: 'create' });
              }}
            >
              New flow
            </Button>
            <Button icon={<ArrowUploadRegular />} onClick={() => fileInput.current?.click()}>
              Import
            </Button>
            <input
              ref={fileInput}
              type="file"
              accept="application/json,.json"
              hidden
              aria-label="Import a flow file"
              onChange={(e) => void importFile(e)}
            />
          </div>
        )}
      </div>
      {error && (
        <MessageBar intent="error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
      {notice && (
        <MessageBar intent="success">
          <MessageBarBody>{notice}</MessageBarBody>
        </MessageBar>
      )}
      {!flows && !error && <Spinner label="Loading flows" />}
      {flows && flows.length === 0 && (
        <Text block>No flows yet. Create one, or import a flow file.</Text>
      )}
      {flows && flows.length > 0 && (
        <Table aria-label="Flows">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Name</TableHeaderCell>
              <TableHeaderCell>Published</TableHeaderCell>
              <TableHeaderCell>Last change</TableHeaderCell>
              <TableHeaderCell>Actions</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {flows.map((flow) => (
              <TableRow key={flow.id}>
                <TableCell>
                  <Link href={`#/flows/${encodeURIComponent(flow.id)}`}>{flow.name}</Link>
                </TableCell>
                <TableCell>
                  {flow.latestVersion ? `Version ${flow.latestVersion}` : 'Not published'}
                  {[...liveVersions(entryPoints, flow.id)]
                    .sort(([a], [b]) => b - a)
                    .map(([v, numbers]) => (
                      <LiveBadge key={v} version={v} numbers={numbers} />
                    ))}
                </TableCell>
                <TableCell>
                  {flow.updatedAt ? new Date(flow.updatedAt).toLocaleString() : ''}
                  {flow.updatedBy ? ` by ${flow.updatedBy}` : ''}
                </TableCell>
                <TableCell>
                  <div className="sb-row-actions">
                    {canEdit && (
                      <Button
                        size="small"
                        icon={<RenameRegular />}
                        aria-label={`Rename ${flow.name}`}
                        onClick={() => {
                          setName(flow.name);
                          setDialog({ kind: 'rename', flow });
                        }}
                      >
                        Rename
                      </Button>
                    )}
                    <Button
                      size="small"
                      as="a"
                      href={api.exportUrl(flow.id)}
                      download={`${flow.name}.json`}
                      icon={<ArrowDownloadRegular />}
                      aria-label={`Export ${flow.name}`}
                    >
                      Export
                    </Button>
                    {isAdmin && (
                      <Button
                        size="small"
                        icon={<ArchiveRegular />}
                        aria-label={`Archive ${flow.name}`}
                        onClick={() => setDialog({ kind: 'archive', flow })}
                      >
                        Archive
                      </Button>
                    )}
                  </div>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      <Dialog open={dialog !== undefined} onOpenChange={(_, d) => !d.open && setDialog(undefined)}>
        <DialogSurface>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (dialog?.kind === 'create') void create();
              else if (dialog?.kind === 'rename') void rename(dialog.flow);
              else if (dialog?.kind === 'archive') void archive(dialog.flow);
            }}
          >
            <DialogBody>
              <DialogTitle>
                {dialog?.kind === 'create'
                  ? 'New flow'
                  : dialog?.kind === 'rename'
                    ? `Rename ${dialog.flow.name}`
                    : `Archive ${dialog?.flow.name ?? ''}`}
              </DialogTitle>
              <DialogContent>
                {dialog?.kind === 'archive' ? (
                  <ArchiveConsequences flow={dialog.flow} bound={boundTo(dialog.flow.id)} />
                ) : (
                  <Field label="Flow name" required>
                    <Input value={name} onChange={(_, d) => setName(d.value)} autoFocus />
                  </Field>
                )}
              </DialogContent>
              <DialogActions>
                <Button onClick={() => setDialog(undefined)}>Cancel</Button>
                <Button
                  appearance="primary"
                  type="submit"
                  disabled={
                    busy ||
                    (dialog?.kind === 'archive'
                      ? boundTo(dialog.flow.id).length > 0
                      : name.trim() === '')
                  }
                >
                  {dialog?.kind === 'create'
                    ? 'Create'
                    : dialog?.kind === 'rename'
                      ? 'Rename'
                      : 'Archive'}
                </Button>
              </DialogActions>
            </DialogBody>
          </form>
        </DialogSurface>
      </Dialog>
    </main>
  );
}

/** What archiving a flow does; a flow a number still answers with cannot be archived. */
function ArchiveConsequences({ flow, bound }: { flow: FlowSummary; bound: EntryPoint[] }) {
  if (bound.length > 0) {
    return (
      <>
        <MessageBar intent="warning">
          <MessageBarBody>
            {bound
              .map((ep) => `${formatTarget(ep.address)} answers with ${answersWith(ep, flow.name)}`)
              .join('; ')}
            .
          </MessageBarBody>
        </MessageBar>
        <Text block>
          Unbind {bound.length === 1 ? 'it' : 'them'} on the Entry points page first: a flow a
          number answers with cannot be archived.
        </Text>
      </>
    );
  }
  return (
    <Text block>
      No number answers with {flow.name}. The flow disappears from the list; its published versions
      stay stored.
    </Text>
  );
}
