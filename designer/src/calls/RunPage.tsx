import {
  Badge,
  Button,
  Link,
  MessageBar,
  MessageBarBody,
  Spinner,
  Text,
} from '@fluentui/react-components';
import { ArrowLeftRegular, OpenRegular } from '@fluentui/react-icons';
import type { FlowDocument } from '@switchboard/flow';
import { ReactFlowProvider } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, ApiError, hasRole, type RunDetail } from '../api/client.js';
import { navigate, routePath } from '../app/router.js';
import { useSession } from '../app/session.js';
import { EditorStoreProvider } from '../editor/context.js';
import { FlowCanvas } from '../editor/FlowCanvas.js';
import { createEditorStore, type EditorStore } from '../editor/store.js';
import { defaultTimeZone } from '../editor/testCallSetup.js';
import { createPathOverlayStore, PathOverlayProvider } from './pathOverlay.js';
import { SaveAsTest } from './SaveAsTest.js';
import { computePath } from './runPath.js';
import {
  endReasonText,
  formatClock,
  formatDuration,
  formatStarted,
  versionText,
} from './runFormat.js';
import { nodeName, stepNodeId, stepRows, StepTimeline, StepVariables } from './StepTimeline.js';
import { CallerHeard, EmulatorTimeline, Participants } from './TestCallParts.js';
import { useLiveRun } from './useLiveRun.js';

/**
 * One call: the document it ran on, read-only, with its path drawn over it; every step in a
 * timeline (the variables after the selected one); for a test call its participants, what the
 * caller heard and the emulator's timeline. Followed live while the call runs.
 */
export function RunPage({ runId }: { runId: string }) {
  const { run, steps, error } = useLiveRun(runId);
  const [loaded, setLoaded] = useState<
    { document: FlowDocument; store: EditorStore } | { error: string }
  >();
  const [overlay] = useState(createPathOverlayStore);
  // Editors turn calls into scenarios of the flow's draft.
  const canSaveAsTest = useSession((s) => hasRole(s.me?.role, 'editor'));

  useEffect(() => {
    let cancelled = false;
    api
      .getRunDocument(runId)
      .then((document) => {
        if (!cancelled)
          setLoaded({ document, store: createEditorStore(document, { readOnly: true }) });
      })
      .catch((e: unknown) => {
        if (!cancelled) setLoaded({ error: e instanceof ApiError ? e.describe() : String(e) });
      });
    return () => {
      cancelled = true;
    };
  }, [runId]);

  const document = loaded && 'document' in loaded ? loaded.document : undefined;
  const status = run?.status;
  const currentNodeId = run?.currentNodeId;
  const endReason = run?.endReason;
  const path = useMemo(
    () =>
      document && status
        ? computePath(steps, document.edges, { status, currentNodeId, endReason })
        : null,
    [document, steps, status, currentNodeId, endReason],
  );
  useEffect(() => overlay.getState().setPath(path), [overlay, path]);

  const rows = useMemo(() => stepRows(steps, document), [steps, document]);
  const [selected, setSelected] = useState<number>();
  const store = loaded && 'store' in loaded ? loaded.store : undefined;
  const select = useCallback(
    (index: number) => {
      setSelected(index);
      const step = steps[index];
      const nodeId = step ? stepNodeId(step) : null;
      if (nodeId && store) store.getState().selectNode(nodeId);
    },
    [steps, store],
  );

  const names = useCallback(
    (id: string) =>
      nodeName(
        document?.nodes.find((n) => n.id === id),
        id,
      ),
    [document],
  );

  if (error && !run) {
    return (
      <MessageBar intent="error">
        <MessageBarBody>Could not open the call: {error}</MessageBarBody>
      </MessageBar>
    );
  }
  if (!run) return <Spinner label="Opening the call…" className="sb-page-spinner" />;

  return (
    <div className="sb-run">
      <RunHeader run={run} document={document} />
      {canSaveAsTest && <SaveAsTest run={run} flowName={document?.name} />}
      {error && (
        <MessageBar intent="warning">
          <MessageBarBody>Live updates interrupted: {error}</MessageBarBody>
        </MessageBar>
      )}
      <div className="sb-run__body">
        <div className="sb-run__canvas">
          {!loaded && <Spinner label="Loading the flow…" />}
          {loaded && 'error' in loaded && (
            <MessageBar intent="error">
              <MessageBarBody>
                The flow this call used cannot be shown: {loaded.error}
              </MessageBarBody>
            </MessageBar>
          )}
          {store && (
            <EditorStoreProvider store={store}>
              <ReactFlowProvider>
                <PathOverlayProvider value={overlay}>
                  <FlowCanvas label="Call path" />
                </PathOverlayProvider>
              </ReactFlowProvider>
            </EditorStoreProvider>
          )}
        </div>
        <aside className="sb-run__side">
          <section className="sb-run__steps" aria-label="Step timeline">
            <Text weight="semibold" size={400} block>
              Steps ({steps.length})
            </Text>
            <StepTimeline
              rows={rows}
              selected={selected}
              onSelect={select}
              follow={run.status === 'running'}
            />
          </section>
          <StepVariables step={selected === undefined ? undefined : steps[selected]} />
          {run.testCall && (
            <>
              <Participants participants={run.testCall.participants} />
              <CallerHeard heard={run.testCall.heard} nodeName={names} />
              <EmulatorTimeline timeline={run.testCall.timeline} />
            </>
          )}
        </aside>
      </div>
    </div>
  );
}

function RunHeader({ run, document }: { run: RunDetail; document: FlowDocument | undefined }) {
  const flowName = document?.name;
  // The clock reads best in the zone the flow's business hours are in.
  const zone = useMemo(() => (document ? defaultTimeZone(document) : 'UTC'), [document]);
  return (
    <div className="sb-run__header">
      <Button
        appearance="subtle"
        icon={<ArrowLeftRegular />}
        onClick={() => navigate({ page: 'calls', filters: { flowId: run.flowId, kind: 'all' } })}
        aria-label="Back to calls"
      />
      <Text as="h1" weight="semibold" size={500}>
        {flowName ?? run.flowId}
      </Text>
      <Badge appearance="outline">{versionText(run)}</Badge>
      <Badge appearance="tint" color={run.test ? 'important' : 'informative'}>
        {run.test ? 'Test call' : 'Real call'}
      </Badge>
      <Badge
        appearance="filled"
        color={run.status === 'running' ? 'success' : 'subtle'}
        aria-label={`Status: ${run.status}`}
      >
        {run.status === 'running' ? 'Running' : 'Ended'}
      </Badge>
      <Text size={300}>
        {run.from} → {run.to}
      </Text>
      <Text size={200}>
        Started {formatStarted(run.startedAt)} · {formatDuration(run)}
        {run.clock ? ` · simulated time ${formatClock(run.clock, zone)}` : ''}
      </Text>
      {run.status === 'ended' && run.endReason && (
        <Text size={300} weight="semibold" className="sb-run__end">
          Ended: {endReasonText(run.endReason)}
        </Text>
      )}
      <span className="sb-header__spacer" />
      <Link href={`#${routePath({ page: 'editor', flowId: run.flowId })}`}>
        <OpenRegular /> Open this flow in the editor
      </Link>
    </div>
  );
}
