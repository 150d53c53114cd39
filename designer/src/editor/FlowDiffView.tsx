import { Badge, Text } from '@fluentui/react-components';
import type { FlowDocument } from '@switchboard/flow';
import { ReactFlowProvider } from '@xyflow/react';
import { useMemo } from 'react';
import { EditorStoreProvider } from './context.js';
import { diffFlows, type FlowDiff } from './diff.js';
import { FlowCanvas } from './FlowCanvas.js';
import { createEditorStore, markDiff } from './store.js';

/** The diff of two documents, with the read-only canvas that shows it coloured. */
export function useFlowDiff(before: FlowDocument | undefined, after: FlowDocument) {
  return useMemo(() => {
    const diff = diffFlows(before, after);
    const store = createEditorStore(diff.merged, { readOnly: true });
    markDiff(store, diff.nodeStates, diff.edgeStates);
    return { diff, store };
  }, [before, after]);
}

/**
 * What changed between two documents, as publishing shows it (the publish dialog and the
 * version compare both use this): a legend, the merged canvas with added, removed and changed
 * nodes and edges coloured, and the changed settings of each node by their titles.
 */
export function FlowDiffView({
  diff,
  store,
  heading,
  canvasLabel = 'Changes on the canvas',
}: ReturnType<typeof useFlowDiff> & { heading: string; canvasLabel?: string }) {
  return (
    <>
      <Text as="h3" weight="semibold" block>
        {heading}
      </Text>
      <DiffSummary diff={diff} />
      <div className="sb-publish__canvas">
        <EditorStoreProvider store={store}>
          <ReactFlowProvider>
            <FlowCanvas label={canvasLabel} />
          </ReactFlowProvider>
        </EditorStoreProvider>
      </div>
      {diff.changes.length === 0 ? (
        <Text block>No changes to nodes.</Text>
      ) : (
        <ul className="sb-publish__changes" aria-label="Changed nodes">
          {diff.changes.map((change) => (
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
    </>
  );
}

function DiffSummary({ diff }: { diff: FlowDiff }) {
  return (
    <div className="sb-diff-legend">
      <Badge color="success">Added</Badge>
      <Badge color="danger">Removed</Badge>
      <Badge color="warning">Changed</Badge>
      <Text size={200}>
        Connections: {diff.edgeChanges.added} added, {diff.edgeChanges.removed} removed,{' '}
        {diff.edgeChanges.changed} changed
      </Text>
    </div>
  );
}
