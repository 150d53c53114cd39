import {
  Handle,
  Position,
  useUpdateNodeInternals,
  type NodeProps,
  type ReactFlowState,
} from '@xyflow/react';
import { createContext, memo, useContext, useEffect, useMemo, useRef } from 'react';
import { NodeIcon, isTrigger, nodeType, outcomesFor, summaryFor } from '../catalogue.js';
import { nodeTitle } from './accessible-names.js';
import { useEditor } from './context.js';
import { TARGET_HANDLE, type DesignerNode, type Issue } from './store.js';

const noIssues: Issue[] = [];

/** Below this zoom, edges are drawn as one layer and handles are not painted (see FarEdges). */
export const FAR_ZOOM = 0.4;
export const isFar = (s: ReactFlowState) => s.transform[2] < FAR_ZOOM;
/**
 * Semantic zoom: the lowest zoom of each band, nearest first. Band 0 is full detail; in band 1
 * the label grows; from band SIMPLE_BAND on a node shows only its icon and its label, in type
 * that grows as the zoom falls (designer.css, `.sb-zoom-<band>`), so the label stays about
 * 10.5 px or more on screen down to the last band's floor instead of turning into an empty box.
 */
export const ZOOM_BANDS = [0.75, 0.55, 0.36, 0.24] as const;
export const SIMPLE_BAND = 2;
export function zoomBand(zoom: number): number {
  const band = ZOOM_BANDS.findIndex((floor) => zoom >= floor);
  return band === -1 ? ZOOM_BANDS.length : band;
}
/**
 * The canvas's zoom band, read once by the canvas and handed down: one store subscription
 * instead of one per node (each runs on every pan and zoom frame). Nodes re-render only when
 * it changes.
 */
export const ZoomBandContext = createContext(0);

/**
 * One canvas node, for every node type: icon, label, summary and outcome handles all come from
 * the catalogue. Memoized; re-renders only when its own data, selection or issues change.
 */
function FlowNodeViewInner({ id, data, selected }: NodeProps<DesignerNode>) {
  const { type, typeVersion, config } = data;
  const description = nodeType(type, typeVersion);
  const outcomes = useMemo(
    () => outcomesFor(type, config, typeVersion),
    [type, config, typeVersion],
  );
  const summary = useMemo(() => summaryFor(type, config, typeVersion), [type, config, typeVersion]);
  const issues = useEditor((s) => s.nodeIssues[id] ?? noIssues);
  // Far out, keep the node's boxes (same size, same handle positions) but draw only the icon and
  // the label, over the box in larger type.
  const far = useContext(ZoomBandContext) >= SIMPLE_BAND;
  const updateNodeInternals = useUpdateNodeInternals();
  // When the outcomes change (e.g. a menu choice added), React Flow must re-read the handles.
  // Not on mount: React Flow measures new nodes itself, and 1,000 calls would be 1,000 updates.
  const outcomeKey = outcomes.map((o) => o.id).join('\n');
  const measuredKey = useRef(outcomeKey);
  useEffect(() => {
    if (measuredKey.current === outcomeKey) return;
    measuredKey.current = outcomeKey;
    updateNodeInternals(id);
  }, [id, outcomeKey, updateNodeInternals]);

  const errors = issues.filter((i) => i.severity === 'error').length;
  // The summary is written from the config: with a setting in error it would read as if valid.
  const badSettings = issues.filter((i) => i.severity === 'error' && i.path.includes('config'));
  const warnings = issues.length - errors;
  const title = nodeTitle(data);
  const classes = ['sb-node'];
  if (selected) classes.push('sb-node--selected');
  if (errors) classes.push('sb-node--error');
  if (data.diff) classes.push(`sb-diff--${data.diff}`);

  return (
    <div className={classes.join(' ')} data-node-type={data.type}>
      {!isTrigger(type, typeVersion) && (
        <Handle
          type="target"
          position={Position.Left}
          id={TARGET_HANDLE}
          className="sb-handle-in"
        />
      )}
      <div className="sb-node__header">
        {!far && <NodeIcon type={data.type} className="sb-node__icon" />}
        {!far && (
          <div className="sb-node__titles">
            <div className="sb-node__label">{title}</div>
            {data.label && description && <div className="sb-node__type">{description.label}</div>}
          </div>
        )}
        {!far && issues.length > 0 && (
          <span
            className={`sb-badge ${errors ? 'sb-badge--error' : 'sb-badge--warning'}`}
            title={issues.map((i) => i.message).join('\n')}
            role="img"
            aria-label={`${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`}
          >
            {errors || warnings}
          </span>
        )}
      </div>
      {far && (
        <div className="sb-node__overview" aria-hidden="true">
          <NodeIcon type={data.type} className="sb-node__overview-icon" />
          <span className="sb-node__overview-label">{title}</span>
        </div>
      )}
      {badSettings.length > 0 ? (
        <div
          className="sb-node__summary sb-node__summary--invalid"
          title={badSettings.map((i) => i.message).join('\n')}
        >
          {!far && (
            <>
              <span className="sb-node__invalid-mark">Fix: </span>
              {summary}
            </>
          )}
        </div>
      ) : (
        <div className="sb-node__summary">{!far && summary}</div>
      )}
      {outcomes.length > 0 && (
        <div className="sb-node__outcomes">
          {outcomes.map((outcome) => (
            <div
              key={outcome.id}
              className={`sb-outcome${outcome.failure ? ' sb-outcome--failure' : ''}`}
            >
              {!far && <span className="sb-outcome__label">{outcome.label}</span>}
              <Handle
                type="source"
                position={Position.Right}
                id={outcome.id}
                className="sb-handle-out"
                title={outcome.label}
              />
            </div>
          ))}
        </div>
      )}
    </div>
  );
}

/**
 * Re-render only for what the node shows: its data, selection and connectability. React Flow
 * also passes size and position, which change on every measurement and drag frame.
 */
export const FlowNodeView = memo(
  FlowNodeViewInner,
  (a, b) =>
    a.id === b.id &&
    a.data === b.data &&
    a.selected === b.selected &&
    a.isConnectable === b.isConnectable,
);
