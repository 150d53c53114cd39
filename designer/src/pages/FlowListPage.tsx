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
  Radio,
  RadioGroup,
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
  type FlowDetail,
  type FlowSummary,
} from '../api/client.js';
import { navigate } from '../app/router.js';
import { useSession } from '../app/session.js';
import { LiveBadge } from '../entry-points/LiveBadge.js';
import { answersWith, liveVersions } from '../entry-points/liveChanges.js';
import { formatTarget } from '@switchboard/flow';
import { FLOW_TEMPLATES } from '../templates/templates.js';

/** How long a success message stays before it is stale. */
const NOTICE_MS = 8000;

/** "Main IVR (2)": the first free "name (n)". */
function freeName(name: string, taken: Set<string>): string {
  for (let n = 2; ; n++) if (!taken.has(`${name} (${n})`)) return `${name} (${n})`;
}

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
    | { kind: 'import'; document: Record<string, unknown>; existing: FlowSummary }
  >();
  const [template, setTemplate] = useState('');
  const [importAs, setImportAs] = useState<'replace' | 'new'>('new');
  // A success message goes stale: it leaves after a while, and when anything else is done.
  useEffect(() => {
    if (!notice) return undefined;
    const timer = setTimeout(() => setNotice(undefined), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice]);
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

  const run = async (action: () => Promise<void>, closeDialog = true) => {
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      await action();
      if (closeDialog) setDialog(undefined);
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };

  const create = () =>
    run(async () => {
      const chosen = FLOW_TEMPLATES.find((t) => t.id === template);
      const flow = await api.createFlow(name.trim(), chosen?.document);
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
      // A flow of the same name: ask whether the file replaces its draft or becomes a new flow.
      const fileName =
        document && typeof document === 'object' && 'name' in document
          ? String((document as { name: unknown }).name)
          : '';
      const existing = flows?.find((f) => f.name === fileName);
      if (existing) {
        setImportAs('new');
        setName(freeName(fileName, new Set(flows?.map((f) => f.name))));
        setDialog({ kind: 'import', document: document as Record<string, unknown>, existing });
        return;
      }
      const flow = await api.importFlow(document);
      setNotice(`Imported “${flow.name}”.`);
      refresh();
    }, false);
  };

  const finishImport = (document: Record<string, unknown>, existing: FlowSummary) =>
    run(async () => {
      if (importAs === 'replace') {
        const detail = await api.getFlow(existing.id);
        await api.saveDraft(
          existing.id,
          { ...(document as unknown as FlowDetail['draft']), name: existing.name },
          detail.revision,
        );
        setNotice(`Replaced the draft of “${existing.name}” with the file.`);
      } else {
        const flow = await api.importFlow({ ...document, name: name.trim() });
        setNotice(`Imported as “${flow.name}”.`);
      }
      refresh();
    });

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
                setTemplate('');
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
              else if (dialog?.kind === 'import')
                void finishImport(dialog.document, dialog.existing);
            }}
          >
            <DialogBody>
              <DialogTitle>
                {dialog?.kind === 'create'
                  ? 'New flow'
                  : dialog?.kind === 'rename'
                    ? `Rename ${dialog.flow.name}`
                    : dialog?.kind === 'import'
                      ? `Import “${dialog.existing.name}”`
                      : `Archive ${dialog?.flow.name ?? ''}`}
              </DialogTitle>
              <DialogContent>
                {dialog?.kind === 'archive' ? (
                  <ArchiveConsequences flow={dialog.flow} bound={boundTo(dialog.flow.id)} />
                ) : dialog?.kind === 'import' ? (
                  <>
                    <Text block>A flow named “{dialog.existing.name}” exists already.</Text>
                    <RadioGroup
                      aria-label="Import as"
                      value={importAs}
                      onChange={(_, d) => setImportAs(d.value as 'replace' | 'new')}
                    >
                      <Radio
                        value="replace"
                        label={`Replace the draft of “${dialog.existing.name}” (its published versions stay)`}
                      />
                      <Radio value="new" label="A new flow with another name" />
                    </RadioGroup>
                    {importAs === 'new' && (
                      <Field label="Flow name" required>
                        <Input value={name} onChange={(_, d) => setName(d.value)} autoFocus />
                      </Field>
                    )}
                  </>
                ) : (
                  <>
                    <Field label="Flow name" required>
                      <Input value={name} onChange={(_, d) => setName(d.value)} autoFocus />
                    </Field>
                    {dialog?.kind === 'create' && (
                      <RadioGroup
                        aria-label="Start from"
                        value={template}
                        onChange={(_, d) => setTemplate(d.value)}
                      >
                        <Radio value="" label="An empty canvas" />
                        {FLOW_TEMPLATES.map((t) => (
                          <Radio key={t.id} value={t.id} label={`${t.title}: ${t.description}`} />
                        ))}
                      </RadioGroup>
                    )}
                  </>
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
                      : dialog?.kind === 'import' && importAs === 'replace'
                        ? false
                        : name.trim() === '')
                  }
                >
                  {dialog?.kind === 'create'
                    ? 'Create'
                    : dialog?.kind === 'rename'
                      ? 'Rename'
                      : dialog?.kind === 'import'
                        ? importAs === 'replace'
                          ? 'Replace the draft'
                          : 'Import'
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
