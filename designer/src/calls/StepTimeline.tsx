import { Text } from '@fluentui/react-components';
import type { FlowDocument } from '@switchboard/flow';
import { memo, useMemo } from 'react';
import type { RunStep } from '../api/client.js';
import { nodeType, outcomesFor } from '../catalogue.js';
import { VirtualList } from './VirtualList.js';

export interface StepRow {
  seq: number;
  time: string;
  node: string;
  event: string;
  outcome: string;
  actions: string;
  ms: string;
}

type DocNode = FlowDocument['nodes'][number];

/** A node's name on the canvas: its label, else its type's, else its id. */
export function nodeName(node: DocNode | undefined, id: string): string {
  if (!node) return id;
  return node.label || nodeType(node.type)?.label || node.id;
}

const timeFormat = new Intl.DateTimeFormat(undefined, {
  hourCycle: 'h23',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  fractionalSecondDigits: 3,
});

export function formatTime(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : timeFormat.format(at);
}

/** One row per step: when, at which node, what came in, which outcome, what was sent, how fast. */
export function stepRows(steps: readonly RunStep[], document: FlowDocument | undefined): StepRow[] {
  const nodes = new Map((document?.nodes ?? []).map((n) => [n.id, n]));
  const outcomeLabels = new Map<string, Map<string, string>>();
  const outcomeLabel = (nodeId: string, outcome: string) => {
    let labels = outcomeLabels.get(nodeId);
    if (!labels) {
      const node = nodes.get(nodeId);
      labels = new Map(
        node ? outcomesFor(node.type, node.config).map((o) => [o.id, o.label] as const) : [],
      );
      outcomeLabels.set(nodeId, labels);
    }
    return labels.get(outcome) ?? outcome;
  };
  return steps.map((step) => {
    const nodeId = stepNodeId(step);
    const frames = stepFrames(step);
    return {
      seq: step.seq,
      time: formatTime(step.receivedAt),
      // Inside a subflow: the calling node (on this canvas), then the subflow's node, by id.
      node:
        frames.length > 0 && nodeId
          ? [
              nodeName(nodes.get(frames[0]!.nodeId), frames[0]!.nodeId),
              ...frames.slice(1).map((f) => f.nodeId),
              nodeId,
            ].join(' › ')
          : nodeId
            ? nodeName(nodes.get(nodeId), nodeId)
            : '—',
      event: step.eventType,
      outcome: step.outcomes
        .map((o) =>
          o.nodeId === nodeId
            ? outcomeLabel(o.nodeId, o.outcome)
            : `${nodeName(nodes.get(o.nodeId), o.nodeId)}: ${outcomeLabel(o.nodeId, o.outcome)}`,
        )
        .join(' → '),
      actions: step.actions.map((a) => String(a.kind)).join(', '),
      ms: `${Math.round(step.ms)} ms`,
    };
  });
}

/** The subflow frames a step ran in (outermost first): those of its first entry inside one. */
export function stepFrames(step: RunStep): { nodeId: string; flowId: string; version: number }[] {
  const trace = step.trace ?? [];
  const first = trace.find((t) => t.kind !== 'ignored');
  return first?.in ?? [];
}

/**
 * The node a step was about: the one its event was for, else the first to take an outcome, else
 * (the start) the first entered; the step's own `nodeId` is where the run stood after it.
 */
export function stepNodeId(step: RunStep): string | null {
  const trace = step.trace ?? [];
  const event = trace.find((t) => t.kind === 'event' && t.nodeId);
  if (event && event.kind === 'event' && event.nodeId) return event.nodeId;
  if (step.outcomes[0]) return step.outcomes[0].nodeId;
  const entered = trace.find((t) => t.kind === 'enter');
  if (entered && entered.kind === 'enter') return entered.nodeId;
  return step.nodeId;
}

export const STEP_ROW_HEIGHT = 30;

function StepTimelineInner({
  rows,
  selected,
  onSelect,
  follow,
}: {
  rows: StepRow[];
  selected: number | undefined;
  onSelect: (index: number) => void;
  follow: boolean;
}) {
  return (
    <div className="sb-steps">
      <div className="sb-steps__row sb-steps__head" aria-hidden="true">
        <span>#</span>
        <span>Time</span>
        <span>Node</span>
        <span>Event</span>
        <span>Outcome</span>
        <span>Sent</span>
        <span className="sb-steps__ms">Latency</span>
      </div>
      <VirtualList
        items={rows}
        rowHeight={STEP_ROW_HEIGHT}
        label="Steps"
        className="sb-steps__list"
        selectedIndex={selected}
        onSelect={onSelect}
        follow={follow}
        renderRow={(row) => (
          <div className="sb-steps__row" title={`${row.event} at ${row.node}`}>
            <span>{row.seq}</span>
            <span>{row.time}</span>
            <span className="sb-steps__node">{row.node}</span>
            <span>{row.event}</span>
            <span>{row.outcome}</span>
            <span>{row.actions}</span>
            <span className="sb-steps__ms">{row.ms}</span>
          </div>
        )}
      />
      {rows.length === 0 && <Text size={200}>No steps yet.</Text>}
    </div>
  );
}

export const StepTimeline = memo(StepTimelineInner);

/** The variables after one step, as a table. */
export function StepVariables({ step }: { step: RunStep | undefined }) {
  const entries = useMemo(
    () => Object.entries(step?.variables ?? {}).sort(([a], [b]) => a.localeCompare(b)),
    [step],
  );
  if (!step) return <Text size={200}>Select a step to see the variables after it.</Text>;
  return (
    <section className="sb-step-vars" aria-label={`Variables after step ${step.seq}`}>
      <Text weight="semibold" size={300} block>
        Variables after step {step.seq} ({step.eventType})
      </Text>
      {step.variables === undefined ? (
        <Text size={200}>The engine did not record variables for this step.</Text>
      ) : entries.length === 0 ? (
        <Text size={200}>No variables set.</Text>
      ) : (
        <table className="sb-kv">
          <tbody>
            {entries.map(([key, value]) => (
              <tr key={key}>
                <th scope="row">{key}</th>
                <td>{value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
