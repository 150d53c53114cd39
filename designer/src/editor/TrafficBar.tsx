import {
  Button,
  Field,
  MessageBar,
  MessageBarBody,
  Select,
  Spinner,
  Text,
} from '@fluentui/react-components';
import { ArrowClockwiseRegular, DismissRegular } from '@fluentui/react-icons';
import { useEffect, useMemo, useState } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { api, ApiError, type AnalyticsQuery, type FlowAnalytics } from '../api/client.js';
import type { PathOverlayStore } from '../calls/pathOverlay.js';
import { toDocumentEdge, type EditorStore } from './store.js';
import { rangeStart, trafficLayer, type TrafficRange } from './traffic.js';

type Calls = NonNullable<AnalyticsQuery['test']>;

/**
 * The traffic overlay: how the flow's recorded calls went through it (path analytics from the
 * engine), drawn over the canvas as a layer — edge widths and counts, unused connections, calls
 * ended and dropped per node — for a range, a version and real or test calls. The counts are
 * matched to the canvas's connections by source, outcome and target, so edits show at once which
 * connections the recorded calls would not have taken.
 */
export function TrafficBar({
  flowId,
  versions,
  store,
  overlay,
  onClose,
}: {
  flowId: string;
  /** Published version numbers, newest first. */
  versions: number[];
  store: EditorStore;
  overlay: PathOverlayStore;
  onClose: () => void;
}) {
  const [range, setRange] = useState<TrafficRange>('7d');
  const [version, setVersion] = useState('all');
  const [calls, setCalls] = useState<Calls>('false');
  const [reload, setReload] = useState(0);
  // What was counted, for which choice: a result for another choice counts as still loading.
  const [result, setResult] = useState<
    { key: string } & ({ analytics: FlowAnalytics } | { error: string })
  >();
  const key = `${range}|${version}|${calls}|${reload}`;
  const loaded = result?.key === key ? result : undefined;

  useEffect(() => {
    let cancelled = false;
    const key = `${range}|${version}|${calls}|${reload}`;
    const query: AnalyticsQuery = { from: rangeStart(range), test: calls };
    if (version !== 'all') query.version = Number(version);
    api
      .analytics(flowId, query)
      .then((analytics) => !cancelled && setResult({ key, analytics }))
      .catch(
        (e: unknown) =>
          !cancelled && setResult({ key, error: e instanceof ApiError ? e.describe() : String(e) }),
      );
    return () => {
      cancelled = true;
    };
  }, [flowId, range, version, calls, reload]);

  // The canvas's connections and node data: not positions, so a drag does not recount.
  const edges = useStore(store, (s) => s.edges);
  const data = useStore(
    store,
    useShallow((s) => s.nodes.map((n) => n.data)),
  );
  const ids = useStore(
    store,
    useShallow((s) => s.nodes.map((n) => n.id)),
  );
  const analytics = loaded && 'analytics' in loaded ? loaded.analytics : undefined;
  const drawn = useMemo(() => {
    if (!analytics) return undefined;
    const nodes = ids.map((id, i) => ({
      id,
      type: data[i]!.type,
      ...(data[i]!.typeVersion !== undefined ? { typeVersion: data[i]!.typeVersion } : {}),
      position: { x: 0, y: 0 },
      config: data[i]!.config,
    }));
    return trafficLayer({ nodes, edges: edges.map(toDocumentEdge) }, analytics);
  }, [analytics, edges, data, ids]);

  useEffect(() => {
    overlay.getState().setLayer('traffic', drawn?.layer ?? null);
  }, [overlay, drawn]);
  useEffect(() => () => overlay.getState().setLayer('traffic', null), [overlay]);

  const summary = drawn?.summary;
  return (
    <section className="sb-traffic" aria-label="Traffic">
      <Field label="Calls from" orientation="horizontal" size="small">
        <Select size="small" value={range} onChange={(_, d) => setRange(d.value as TrafficRange)}>
          <option value="24h">The last 24 hours</option>
          <option value="7d">The last 7 days</option>
          <option value="30d">The last 30 days</option>
        </Select>
      </Field>
      <Field label="Version" orientation="horizontal" size="small">
        <Select size="small" value={version} onChange={(_, d) => setVersion(d.value)}>
          <option value="all">Every version</option>
          {versions.map((v) => (
            <option key={v} value={String(v)}>
              Version {v}
            </option>
          ))}
          <option value="0">Test calls of drafts</option>
        </Select>
      </Field>
      <Field label="Calls" orientation="horizontal" size="small">
        <Select size="small" value={calls} onChange={(_, d) => setCalls(d.value as Calls)}>
          <option value="false">Real calls</option>
          <option value="true">Test calls</option>
          <option value="all">Real and test calls</option>
        </Select>
      </Field>
      <Text size={200} role="status" aria-live="polite" className="sb-traffic__summary">
        {!loaded && <Spinner size="extra-tiny" label="Counting calls…" />}
        {summary && (
          <>
            {summary.runs} call{summary.runs === 1 ? '' : 's'}
            {summary.unused > 0 &&
              ` · ${summary.unused} connection${summary.unused === 1 ? '' : 's'} unused`}
            {summary.dropped > 0 && ` · ${summary.dropped} dropped`}
            {summary.elsewhere > 0 &&
              ` · ${summary.elsewhere} through connections the canvas no longer has`}
          </>
        )}
      </Text>
      <span className="sb-traffic__legend" aria-hidden>
        <span className="sb-traffic__key sb-traffic__key--used" /> calls
        <span className="sb-traffic__key sb-traffic__key--unused" /> unused
        <span className="sb-traffic__key sb-traffic__key--dropped" /> dropped
      </span>
      <span className="sb-header__spacer" />
      <Button
        size="small"
        appearance="subtle"
        icon={<ArrowClockwiseRegular />}
        aria-label="Count again"
        onClick={() => setReload((n) => n + 1)}
      />
      <Button
        size="small"
        appearance="subtle"
        icon={<DismissRegular />}
        aria-label="Hide traffic"
        onClick={onClose}
      />
      {loaded && 'error' in loaded && (
        <MessageBar intent="error" className="sb-traffic__error">
          <MessageBarBody>Could not count the calls: {loaded.error}</MessageBarBody>
        </MessageBar>
      )}
    </section>
  );
}
