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
  Spinner,
  Text,
  Textarea,
} from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { api, ApiError, listAll, type VersionSummary } from '../api/client.js';
import { navigate } from '../app/router.js';

/** Published versions with author, time and comment; open one read-only, or roll back to it. */
export function VersionsPanel({
  flowId,
  current,
  canRollback,
  onRolledBack,
}: {
  flowId: string;
  current: number | undefined;
  canRollback: boolean;
  onRolledBack: (version: number) => void;
}) {
  const [versions, setVersions] = useState<VersionSummary[]>();
  const [error, setError] = useState<string>();
  const [rollbackTo, setRollbackTo] = useState<number>();
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    listAll((cursor) => api.listVersions(flowId, cursor))
      .then((items) => setVersions([...items].sort((a, b) => b.version - a.version)))
      .catch((e: unknown) => setError(e instanceof ApiError ? e.describe() : String(e)));
  }, [flowId]);

  const rollback = async () => {
    if (rollbackTo === undefined) return;
    setBusy(true);
    try {
      const result = await api.rollback(flowId, rollbackTo, comment.trim());
      setRollbackTo(undefined);
      setComment('');
      onRolledBack(result.version);
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
                  onClick={() => setRollbackTo(v.version)}
                  aria-label={`Roll back to version ${v.version}`}
                >
                  Roll back
                </Button>
              )}
            </div>
          </li>
        ))}
      </ol>
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
                this use it. The draft is not changed.
              </Text>
              <Field label="Comment" required>
                <Textarea value={comment} onChange={(_, d) => setComment(d.value)} />
              </Field>
            </DialogContent>
            <DialogActions>
              <Button onClick={() => setRollbackTo(undefined)}>Cancel</Button>
              <Button
                appearance="primary"
                disabled={comment.trim() === '' || busy}
                onClick={() => void rollback()}
              >
                Roll back
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </section>
  );
}
