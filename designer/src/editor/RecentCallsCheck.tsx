import {
  Badge,
  Button,
  Checkbox,
  Field,
  MessageBar,
  MessageBarBody,
  Select,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';
import type { FlowDocument } from '@switchboard/flow';
import { ReactFlowProvider } from '@xyflow/react';
import { useEffect, useMemo, useRef, useState } from 'react';
import {
  api,
  ApiError,
  type ReplayAnswer,
  type ReplayEndCount,
  type ReplayRequest,
  type ReplayRun,
} from '../api/client.js';
import { createPathOverlayStore, PathOverlayProvider } from '../calls/pathOverlay.js';
import { endReasonText, formatStarted } from '../calls/runFormat.js';
import { comparisonView } from './comparison.js';
import { EditorStoreProvider } from './context.js';
import { FlowCanvas } from './FlowCanvas.js';
import { createEditorStore, type EditorStore } from './store.js';
import { rangeStart } from './traffic.js';

/** The engine's ceiling per replay; the newest calls of the range are replayed. */
const REPLAY_LIMIT = 5000;
/** Calls listed at first; the rest behind "Show more" (a big change can move thousands). */
const LIST_PAGE = 50;

function message(e: unknown): string {
  return e instanceof ApiError ? e.describe() : String(e);
}

/** Where the calls ended before and after, side by side, by node and reason. */
export function endRows(
  before: readonly ReplayEndCount[],
  after: readonly ReplayEndCount[],
): { key: string; label: string; reason: string; before: number; after: number }[] {
  const rows = new Map<
    string,
    { key: string; label: string; reason: string; before: number; after: number }
  >();
  const row = (e: ReplayEndCount) => {
    const key = `${e.nodeId}\u0000${e.reason}`;
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { key, label: e.label, reason: e.reason, before: 0, after: 0 }));
    return r;
  };
  for (const e of before) row(e).before += e.runs;
  for (const e of after) row(e).after += e.runs;
  return [...rows.values()].sort(
    (a, b) =>
      Math.max(b.before, b.after) - Math.max(a.before, a.after) || a.label.localeCompare(b.label),
  );
}

/**
 * Check against recent calls: the recorded calls of a range (or of one version) replayed on the
 * saved draft by the engine — how many would take another path, where they would end now, and,
 * for one call, the recorded and the new path on one canvas.
 */
export function RecentCallsCheck({
  flowId,
  versions,
  draft,
}: {
  flowId: string;
  /** Published version numbers, newest first. */
  versions: number[];
  /** The saved draft, as replayed. */
  draft: FlowDocument;
}) {
  const [source, setSource] = useState('24h');
  const [includeTest, setIncludeTest] = useState(true);
  const [state, setState] = useState<
    { busy: true } | { answer: ReplayAnswer } | { error: string } | undefined
  >();
  const [selected, setSelected] = useState<ReplayRun>();
  const [shown, setShown] = useState(LIST_PAGE);

  const check = async () => {
    setState({ busy: true });
    setSelected(undefined);
    setShown(LIST_PAGE);
    const filter: NonNullable<ReplayRequest['filter']> = { limit: REPLAY_LIMIT };
    if (source.startsWith('v')) filter.version = Number(source.slice(1));
    else filter.from = rangeStart(source === '7d' ? '7d' : '24h');
    if (!includeTest) filter.test = false;
    try {
      setState({ answer: await api.replay(flowId, { filter, draft: true }) });
    } catch (e) {
      setState({ error: message(e) });
    }
  };

  const answer = state && 'answer' in state ? state.answer : undefined;
  const changed = useMemo(
    () => answer?.results.filter((r) => r.status === 'diverged' || r.status === 'incomplete') ?? [],
    [answer],
  );
  const ends = useMemo(
    () => (answer ? endRows(answer.summary.endsBefore, answer.summary.endsAfter) : []),
    [answer],
  );

  return (
    <section className="sb-recent" aria-label="Check against recent calls">
      <div className="sb-recent__controls">
        <Field label="Calls" orientation="horizontal" size="small">
          <Select size="small" value={source} onChange={(_, d) => setSource(d.value)}>
            <option value="24h">The last 24 hours</option>
            <option value="7d">The last 7 days</option>
            {versions.map((v) => (
              <option key={v} value={`v${v}`}>
                Calls of version {v}
              </option>
            ))}
          </Select>
        </Field>
        <Checkbox
          label="Include test calls"
          checked={includeTest}
          onChange={(_, d) => setIncludeTest(d.checked === true)}
        />
        <Button
          appearance="primary"
          size="small"
          disabled={state !== undefined && 'busy' in state}
          onClick={() => void check()}
        >
          Check
        </Button>
        {state && 'busy' in state && <Spinner size="tiny" label="Replaying the calls…" />}
      </div>
      {!state && (
        <Text size={200} block>
          Replays what callers did in the recorded calls on the draft: which calls would now go
          somewhere else.
        </Text>
      )}
      {state && 'error' in state && (
        <MessageBar intent="error">
          <MessageBarBody>Could not check the calls: {state.error}</MessageBarBody>
        </MessageBar>
      )}
      {answer && (
        <>
          <Text weight="semibold" block role="status" className="sb-recent__summary">
            {answer.summary.runs === 0 ? 'No recorded calls in this range.' : answer.summary.text}
          </Text>
          <div className="sb-recent__counts" aria-label="Replay counts" role="group">
            <Badge appearance="tint" color="success">
              {answer.summary.same} same
            </Badge>
            <Badge appearance="tint" color="warning">
              {answer.summary.diverged} diverged
            </Badge>
            <Badge appearance="tint" color="informative">
              {answer.summary.incomplete} incomplete
            </Badge>
            <Badge appearance="tint" color="subtle">
              {answer.summary.notReplayable} not replayable
            </Badge>
          </div>
          {ends.length > 0 && (
            <Table size="extra-small" aria-label="Where the calls end" className="sb-recent__ends">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Ends at</TableHeaderCell>
                  <TableHeaderCell>How</TableHeaderCell>
                  <TableHeaderCell>Recorded</TableHeaderCell>
                  <TableHeaderCell>On the draft</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {ends.map((r) => (
                  <TableRow key={r.key}>
                    <TableCell>{r.label}</TableCell>
                    <TableCell>
                      {r.reason === 'unknown' ? 'replay stopped' : endReasonText(r.reason)}
                    </TableCell>
                    <TableCell>{r.before}</TableCell>
                    <TableCell className={r.before !== r.after ? 'sb-recent__moved' : undefined}>
                      {r.after}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
          {changed.length > 0 && (
            <ul className="sb-recent__calls" aria-label="Calls that would change">
              {changed.slice(0, shown).map((r) => (
                <li key={r.runId}>
                  <Button
                    appearance={selected?.runId === r.runId ? 'secondary' : 'subtle'}
                    size="small"
                    className="sb-recent__call"
                    aria-pressed={selected?.runId === r.runId}
                    data-run-id={r.runId}
                    onClick={() => setSelected(r)}
                  >
                    <Badge
                      appearance="outline"
                      size="small"
                      color={r.status === 'diverged' ? 'warning' : 'informative'}
                    >
                      {r.status}
                    </Badge>
                    <span className="sb-recent__when">
                      {formatStarted(r.startedAt)} · {r.from}
                      {r.test ? ' · test' : ''}
                    </span>
                    <span className="sb-recent__what">{r.summary}</span>
                  </Button>
                </li>
              ))}
              {changed.length > shown && (
                <li>
                  <Button
                    size="small"
                    appearance="transparent"
                    onClick={() => setShown((n) => n + LIST_PAGE * 4)}
                  >
                    Show more ({changed.length - shown} not shown)
                  </Button>
                </li>
              )}
            </ul>
          )}
          {selected && <CallComparison key={selected.runId} run={selected} draft={draft} />}
        </>
      )}
    </section>
  );
}

/** One call's recorded path and its path on the draft, on one canvas in two colours. */
function CallComparison({ run, draft }: { run: ReplayRun; draft: FlowDocument }) {
  const [loaded, setLoaded] = useState<{ store: EditorStore } | { error: string }>();
  const [overlay] = useState(createPathOverlayStore);
  // The canvas opens below the list, out of sight in a long dialog: bring it into view.
  const box = useRef<HTMLDivElement>(null);
  // (Braces: newer browsers answer scrollIntoView with a promise, which is no effect cleanup.)
  useEffect(() => {
    box.current?.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
  }, []);

  useEffect(() => {
    let cancelled = false;
    api
      .getRunDocument(run.runId)
      .then((recorded) => {
        if (cancelled) return;
        const view = comparisonView(recorded, draft, run);
        overlay.getState().setLayer('compare', view.layer);
        setLoaded({ store: createEditorStore(view.document, { readOnly: true }) });
      })
      .catch((e: unknown) => !cancelled && setLoaded({ error: message(e) }));
    return () => {
      cancelled = true;
    };
  }, [run, draft, overlay]);

  return (
    <div className="sb-recent__compare" ref={box}>
      <div className="sb-cmp-legend" aria-label="Legend">
        <span className="sb-cmp-legend__key sb-cmp-legend__key--old" /> Recorded path
        <span className="sb-cmp-legend__key sb-cmp-legend__key--new" /> Path on the draft
        <span className="sb-cmp-legend__key sb-cmp-legend__key--both" /> Both
        <span className="sb-cmp-legend__key sb-cmp-legend__key--diverge" /> Where they part
      </div>
      <Text size={200} block>
        {run.summary}
      </Text>
      <div className="sb-recent__canvas">
        {!loaded && <Spinner size="small" label="Loading the call…" />}
        {loaded && 'error' in loaded && (
          <MessageBar intent="error">
            <MessageBarBody>The call's flow cannot be shown: {loaded.error}</MessageBarBody>
          </MessageBar>
        )}
        {loaded && 'store' in loaded && (
          <EditorStoreProvider store={loaded.store}>
            <ReactFlowProvider>
              <PathOverlayProvider value={overlay}>
                <FlowCanvas label="Recorded and new path" />
              </PathOverlayProvider>
            </ReactFlowProvider>
          </EditorStoreProvider>
        )}
      </div>
    </div>
  );
}
