import {
  Badge,
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
  Spinner,
  Text,
  Textarea,
} from '@fluentui/react-components';
import { validateFlow, type ValidationIssue } from '@switchboard/flow';
import { ReactFlowProvider } from '@xyflow/react';
import { useEffect, useState } from 'react';
import { api, ApiError, listAll } from '../api/client.js';
import { EditorStoreProvider } from './context.js';
import { diffFlows, type FlowDiff } from './diff.js';
import { FlowCanvas } from './FlowCanvas.js';
import { createEditorStore, markDiff, type EditorStore } from './store.js';

interface Prepared {
  issues: ValidationIssue[];
  latest: number;
  diff: FlowDiff;
  diffStore: EditorStore;
}

/**
 * Publishing: the draft is saved, validated (errors block), compared with the latest published
 * version on a canvas (added, removed and changed nodes and edges coloured; changed settings
 * listed), and published with a required comment.
 */
export function PublishDialog({
  flowId,
  store,
  saveFirst,
  revision,
  onClose,
  onPublished,
}: {
  flowId: string;
  store: EditorStore;
  saveFirst: () => Promise<boolean>;
  /** The draft revision last saved, so publishing is refused if someone saved since. */
  revision: () => number | string;
  onClose: () => void;
  onPublished: (version: number) => void;
}) {
  const [prepared, setPrepared] = useState<Prepared>();
  const [failure, setFailure] = useState<string>();
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [published, setPublished] = useState<number>();

  useEffect(() => {
    let cancelled = false;
    (async () => {
      const saved = await saveFirst();
      const draft = store.getState().toDocument();
      const issues = validateFlow(draft);
      const versions = await listAll((cursor) => api.listVersions(flowId, cursor));
      const latest = versions.reduce((max, v) => Math.max(max, v.version), 0);
      const previous = latest ? (await api.getVersion(flowId, latest)).document : undefined;
      const diff = diffFlows(previous, draft);
      const diffStore = createEditorStore(diff.merged, { readOnly: true });
      markDiff(diffStore, diff.nodeStates, diff.edgeStates);
      if (cancelled) return;
      if (!saved && store.getState().version !== 0) {
        setFailure('The draft could not be saved first; publishing uses the last saved draft.');
      }
      setPrepared({ issues, latest, diff, diffStore });
    })().catch((e: unknown) => {
      if (!cancelled) setFailure(e instanceof ApiError ? e.describe() : String(e));
    });
    return () => {
      cancelled = true;
    };
  }, [flowId, saveFirst, store]);

  const errors = prepared?.issues.filter((i) => i.severity === 'error') ?? [];
  const warnings = prepared?.issues.filter((i) => i.severity === 'warning') ?? [];

  const publish = async () => {
    setBusy(true);
    setFailure(undefined);
    try {
      const result = await api.publish(flowId, comment.trim(), revision());
      setPublished(result.version);
      onPublished(result.version);
    } catch (e) {
      setFailure(e instanceof ApiError ? e.describe() : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open onOpenChange={(_, d) => !d.open && onClose()}>
      <DialogSurface className="sb-publish">
        <DialogBody>
          <DialogTitle>Publish flow</DialogTitle>
          <DialogContent className="sb-publish__content">
            {!prepared && !failure && <Spinner label="Checking the draft…" />}
            {failure && (
              <MessageBar intent="error">
                <MessageBarBody>{failure}</MessageBarBody>
              </MessageBar>
            )}
            {published !== undefined && (
              <MessageBar intent="success">
                <MessageBarBody>Published as version {published}.</MessageBarBody>
              </MessageBar>
            )}
            {prepared && published === undefined && (
              <>
                <section aria-label="Validation">
                  <Text as="h3" weight="semibold" block>
                    Validation
                  </Text>
                  {errors.length === 0 ? (
                    <Text block>
                      No errors
                      {warnings.length
                        ? `; ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`
                        : ''}
                      .
                    </Text>
                  ) : (
                    <MessageBar intent="error">
                      <MessageBarBody>
                        {errors.length} error{errors.length === 1 ? '' : 's'} must be fixed before
                        publishing.
                      </MessageBarBody>
                    </MessageBar>
                  )}
                  {prepared.issues.length > 0 && (
                    <ul className="sb-publish__issues">
                      {prepared.issues.map((issue, i) => (
                        <li key={i} className={`sb-issue sb-issue--${issue.severity}`}>
                          {issue.severity === 'error' ? 'Error' : 'Warning'}: {issue.message}
                        </li>
                      ))}
                    </ul>
                  )}
                </section>
                <section aria-label="Changes">
                  <Text as="h3" weight="semibold" block>
                    {prepared.latest
                      ? `Changes since version ${prepared.latest}`
                      : 'First version: everything is new'}
                  </Text>
                  <div className="sb-diff-legend">
                    <Badge color="success">Added</Badge>
                    <Badge color="danger">Removed</Badge>
                    <Badge color="warning">Changed</Badge>
                    <Text size={200}>
                      Connections: {prepared.diff.edgeChanges.added} added,{' '}
                      {prepared.diff.edgeChanges.removed} removed,{' '}
                      {prepared.diff.edgeChanges.changed} changed
                    </Text>
                  </div>
                  <div className="sb-publish__canvas">
                    <EditorStoreProvider store={prepared.diffStore}>
                      <ReactFlowProvider>
                        <FlowCanvas label="Changes on the canvas" />
                      </ReactFlowProvider>
                    </EditorStoreProvider>
                  </div>
                  {prepared.diff.changes.length === 0 ? (
                    <Text block>No changes to nodes.</Text>
                  ) : (
                    <ul className="sb-publish__changes" aria-label="Changed nodes">
                      {prepared.diff.changes.map((change) => (
                        <li key={change.nodeId} className={`sb-change sb-change--${change.state}`}>
                          <strong>{change.name}</strong> — {change.state}
                          {change.settings.length > 0 && (
                            <ul>
                              {change.settings.map((s, i) => (
                                <li key={i}>
                                  {s.field}: {s.before} → {s.after}
                                </li>
                              ))}
                            </ul>
                          )}
                        </li>
                      ))}
                    </ul>
                  )}
                </section>
                <Field
                  label="Comment"
                  required
                  hint="What changed and why; shown in the version history"
                >
                  <Textarea value={comment} onChange={(_, d) => setComment(d.value)} />
                </Field>
              </>
            )}
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose}>{published !== undefined ? 'Close' : 'Cancel'}</Button>
            {published === undefined && (
              <Button
                appearance="primary"
                disabled={!prepared || errors.length > 0 || comment.trim() === '' || busy}
                onClick={() => void publish()}
              >
                {busy ? 'Publishing…' : 'Publish'}
              </Button>
            )}
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
