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
  Select,
  MessageBarBody,
  Spinner,
  Text,
  Textarea,
} from '@fluentui/react-components';
import type { FlowDocument } from '@switchboard/flow';
import { useEffect, useState } from 'react';
import { api, ApiError, listAll, type EntryPoint, type VersionSummary } from '../api/client.js';
import { navigate } from '../app/router.js';
import { liveVersions } from '../entry-points/liveChanges.js';
import { LiveBadge } from '../entry-points/LiveBadge.js';
import { diffFlows } from './diff.js';
import { FlowDiffView, useFlowDiff } from './FlowDiffView.js';

export interface RolledBack {
  version: number;
  draftRevision: number;
  /** The content the draft now holds (the rolled-back version's). */
  document: FlowDocument;
}

/** How many nodes and edges of the draft differ from a published document (moves aside). */
function changesFrom(published: FlowDocument, draft: FlowDocument): number {
  const d = diffFlows(published, draft);
  return d.changes.length + d.edgeChanges.added + d.edgeChanges.removed + d.edgeChanges.changed;
}

/**
 * Published versions with author, time and comment; open one read-only, or roll back to it —
 * which publishes a copy and replaces the draft with it, after saying so (and naming unpublished
 * changes of the draft that would go).
 */
export function VersionsPanel({
  flowId,
  current,
  canRollback,
  draftRevision,
  draft,
  onRolledBack,
}: {
  flowId: string;
  current: number | undefined;
  canRollback: boolean;
  /** The draft revision on screen: a rollback refuses to replace a draft saved since. */
  draftRevision: () => number | string;
  /** The draft on screen. */
  draft: () => FlowDocument;
  onRolledBack: (result: RolledBack) => void;
}) {
  const [versions, setVersions] = useState<VersionSummary[]>();
  const [error, setError] = useState<string>();
  const [rollbackTo, setRollbackTo] = useState<number>();
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  /** Changes of the draft since the latest version (undefined while counting). */
  const [unpublished, setUnpublished] = useState<number>();

  const [entryPoints, setEntryPoints] = useState<EntryPoint[]>([]);
  const [comparing, setComparing] = useState(false);

  useEffect(() => {
    listAll((cursor) => api.listVersions(flowId, cursor))
      .then((items) => setVersions([...items].sort((a, b) => b.version - a.version)))
      .catch((e: unknown) => setError(e instanceof ApiError ? e.describe() : String(e)));
    listAll((cursor) => api.listEntryPoints(cursor, flowId))
      .then(setEntryPoints)
      .catch(() => setEntryPoints([]));
  }, [flowId]);
  const live = liveVersions(entryPoints, flowId);

  const latest = versions?.[0]?.version;
  /** Opens the dialog and counts what the draft would lose (the dialog names it). */
  const askRollback = (to: number) => {
    setRollbackTo(to);
    setUnpublished(undefined);
    if (latest === undefined) {
      setUnpublished(0);
      return;
    }
    api
      .getVersion(flowId, latest)
      .then((v) => setUnpublished(changesFrom(v.document, draft())))
      .catch(() => setUnpublished(0));
  };

  const rollback = async () => {
    if (rollbackTo === undefined) return;
    setBusy(true);
    try {
      const [result, source] = await Promise.all([
        api.rollback(flowId, rollbackTo, comment.trim(), Number(draftRevision())),
        api.getVersion(flowId, rollbackTo),
      ]);
      setRollbackTo(undefined);
      setComment('');
      onRolledBack({ ...result, document: source.document });
    } catch (e) {
      setError(e instanceof ApiError ? e.describe() : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="sb-versions" aria-label="Versions">
      <Text as="h2" weight="semibold" size={400} block>
        Versions
      </Text>
      {current !== undefined && (
        <Button size="small" onClick={() => navigate({ page: 'editor', flowId })}>
          Back to the draft
        </Button>
      )}
      {versions && versions.length > 0 && (
        <Button size="small" onClick={() => setComparing(true)}>
          Compare versions…
        </Button>
      )}
      {error && (
        <MessageBar intent="error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
      {!versions && !error && <Spinner size="tiny" label="Loading versions" />}
      {versions?.length === 0 && <Text size={200}>Not published yet.</Text>}
      <ol className="sb-versions__list">
        {versions?.map((v) => (
          <li
            key={v.version}
            className={v.version === current ? 'sb-versions__current' : undefined}
          >
            <Text weight="semibold" block>
              Version {v.version}
            </Text>
            {live.has(v.version) && (
              <LiveBadge version={v.version} numbers={live.get(v.version)!} />
            )}
            <Text size={200} block>
              {v.publishedBy ?? 'unknown'} ·{' '}
              {v.publishedAt ? new Date(v.publishedAt).toLocaleString() : ''}
            </Text>
            {v.comment && (
              <Text size={200} block italic>
                “{v.comment}”
              </Text>
            )}
            <div className="sb-versions__actions">
              <Button
                size="small"
                onClick={() => navigate({ page: 'version', flowId, version: v.version })}
                aria-label={`Open version ${v.version}`}
              >
                Open
              </Button>
              {canRollback && (
                <Button
                  size="small"
                  onClick={() => askRollback(v.version)}
                  aria-label={`Roll back to version ${v.version}`}
                >
                  Roll back
                </Button>
              )}
            </div>
          </li>
        ))}
      </ol>
      {comparing && versions && (
        <CompareDialog
          flowId={flowId}
          versions={versions.map((v) => v.version)}
          draft={draft}
          onClose={() => setComparing(false)}
        />
      )}
      <Dialog
        open={rollbackTo !== undefined}
        onOpenChange={(_, d) => !d.open && setRollbackTo(undefined)}
      >
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Roll back to version {rollbackTo}</DialogTitle>
            <DialogContent>
              <Text block>
                Version {rollbackTo} is published again as a new version; calls that start after
                this use it.
              </Text>
              <MessageBar intent={unpublished ? 'warning' : 'info'}>
                <MessageBarBody>
                  Your draft will be replaced by version {rollbackTo}.
                  {unpublished
                    ? ` It has ${unpublished} unpublished change${unpublished === 1 ? '' : 's'} since version ${latest}, which will be lost (export the draft first to keep them).`
                    : ''}
                </MessageBarBody>
              </MessageBar>
              <Field label="Comment" required>
                <Textarea value={comment} onChange={(_, d) => setComment(d.value)} />
              </Field>
            </DialogContent>
            <DialogActions>
              <Button onClick={() => setRollbackTo(undefined)}>Cancel</Button>
              <Button
                appearance="primary"
                disabled={comment.trim() === '' || busy || unpublished === undefined}
                onClick={() => void rollback()}
              >
                Roll back and replace the draft
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </section>
  );
}

const DRAFT = 'draft';

/**
 * Any two versions (or a version and the draft) side by side, with the diff publishing shows:
 * the older one's removed nodes added back and coloured on one canvas, and the changed settings.
 */
function CompareDialog({
  flowId,
  versions,
  draft,
  onClose,
}: {
  flowId: string;
  /** Newest first. */
  versions: number[];
  draft: () => FlowDocument;
  onClose: () => void;
}) {
  const [from, setFrom] = useState(String(versions[1] ?? versions[0]));
  const [to, setTo] = useState(versions.length > 1 ? String(versions[0]) : DRAFT);
  const [documents, setDocuments] = useState<Map<string, FlowDocument>>(
    () => new Map([[DRAFT, draft()]]),
  );
  const [error, setError] = useState<string>();

  useEffect(() => {
    for (const key of [from, to]) {
      if (documents.has(key)) continue;
      api
        .getVersion(flowId, Number(key))
        .then((v) => setDocuments((m) => new Map(m).set(key, v.document)))
        .catch((e: unknown) => setError(e instanceof ApiError ? e.describe() : String(e)));
    }
  }, [documents, flowId, from, to]);

  const name = (key: string) => (key === DRAFT ? 'the draft' : `version ${key}`);
  const before = documents.get(from);
  const after = documents.get(to);
  const options = [
    ...versions.map((v) => (
      <option key={v} value={String(v)}>
        Version {v}
      </option>
    )),
    <option key={DRAFT} value={DRAFT}>
      Draft
    </option>,
  ];
  return (
    <Dialog open onOpenChange={(_, d) => !d.open && onClose()}>
      <DialogSurface className="sb-publish">
        <DialogBody>
          <DialogTitle>Compare versions</DialogTitle>
          <DialogContent className="sb-publish__content">
            <div className="sb-compare__pick">
              <Field label="From">
                <Select value={from} onChange={(_, d) => setFrom(d.value)}>
                  {options}
                </Select>
              </Field>
              <Field label="To">
                <Select value={to} onChange={(_, d) => setTo(d.value)}>
                  {options}
                </Select>
              </Field>
            </div>
            {error && (
              <MessageBar intent="error">
                <MessageBarBody>{error}</MessageBarBody>
              </MessageBar>
            )}
            {before && after ? (
              <CompareView
                key={`${from}\u0000${to}`}
                before={before}
                after={after}
                heading={`Changes from ${name(from)} to ${name(to)}`}
              />
            ) : (
              !error && <Spinner size="tiny" label="Loading the versions" />
            )}
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose}>Close</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

function CompareView({
  before,
  after,
  heading,
}: {
  before: FlowDocument;
  after: FlowDocument;
  heading: string;
}) {
  const diff = useFlowDiff(before, after);
  return (
    <section aria-label="Changes">
      <FlowDiffView {...diff} heading={heading} />
    </section>
  );
}
