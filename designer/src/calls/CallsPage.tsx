import {
  Badge,
  Button,
  Field,
  Input,
  Link,
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
import { DismissRegular } from '@fluentui/react-icons';
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import {
  api,
  ApiError,
  listAll,
  type FlowSummary,
  type RunDto,
  type VersionSummary,
} from '../api/client.js';
import { navigate, routePath } from '../app/router.js';
import {
  isoToLocalInput,
  localInputToIso,
  runsQuery,
  type CallsFilters,
  type RunKind,
} from './callFilters.js';
import {
  END_REASONS,
  endReasonText,
  formatDuration,
  formatStarted,
  versionText,
} from './runFormat.js';
import { nodeName } from './StepTimeline.js';

/** While the first page is shown, it is fetched again this often (new and finished calls). */
const LIVE_MS = 2000;
const PAGE_SIZE = 50;
/** Typing in the number box applies once the typing pauses. */
const TYPING_MS = 400;

function message(e: unknown): string {
  return e instanceof ApiError ? e.describe() : String(e);
}

/**
 * Every call, newest first, filtered by what the URL says (`#/calls?flowId=…&test=all`), live
 * while only the first page is shown, with "Load more" for older ones. A row opens its run view.
 */
export function CallsPage({ filters }: { filters: CallsFilters }) {
  const query = runsQuery(filters, { limit: PAGE_SIZE });
  const [items, setItems] = useState<RunDto[]>();
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [pages, setPages] = useState(1);
  const [error, setError] = useState<string>();
  const [loadingMore, setLoadingMore] = useState(false);
  const [flows, setFlows] = useState<FlowSummary[]>([]);
  const [now, setNow] = useState(() => Date.now());

  const setFilters = useCallback(
    (next: CallsFilters) => navigate({ page: 'calls', filters: next }, { replace: true }),
    [],
  );

  useEffect(() => {
    listAll((cursor) => api.listFlows(cursor))
      .then(setFlows)
      .catch(() => setFlows([]));
  }, []);

  // The first page, again every LIVE_MS while the reader has not paged further.
  const pagesRef = useRef(pages);
  useEffect(() => {
    pagesRef.current = pages;
  }, [pages]);
  const latestQuery = useRef(query);
  // New filters start from an empty first page.
  const [shownQuery, setShownQuery] = useState(query);
  if (shownQuery !== query) {
    setShownQuery(query);
    setItems(undefined);
    setNextCursor(null);
    setPages(1);
    setError(undefined);
  }
  useEffect(() => {
    latestQuery.current = query;
    let cancelled = false;
    const load = () =>
      api
        .listRuns(query)
        .then((page) => {
          if (cancelled) return;
          setItems(page.items);
          setNextCursor(page.nextCursor);
          setNow(Date.now());
          setError(undefined);
        })
        .catch((e: unknown) => {
          if (!cancelled) setError(message(e));
        });
    void load();
    const timer = setInterval(() => {
      if (!document.hidden && pagesRef.current === 1) void load();
    }, LIVE_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [query]);

  const loadMore = async () => {
    if (!nextCursor) return;
    setLoadingMore(true);
    const forQuery = query;
    try {
      const page = await api.listRuns(runsQuery(filters, { cursor: nextCursor, limit: PAGE_SIZE }));
      if (latestQuery.current !== forQuery) return;
      setItems((current) => {
        const seen = new Set((current ?? []).map((r) => r.id));
        return [...(current ?? []), ...page.items.filter((r) => !seen.has(r.id))];
      });
      setNextCursor(page.nextCursor);
      setPages((p) => p + 1);
    } catch (e) {
      setError(message(e));
    } finally {
      setLoadingMore(false);
    }
  };

  const flowNames = useMemo(() => new Map(flows.map((f) => [f.id, f.name])), [flows]);

  return (
    <main className="sb-page sb-calls">
      <div className="sb-page__header">
        <Text as="h1" size={600} weight="semibold">
          Calls
        </Text>
        {pages === 1 && (
          <Text size={200} className="sb-calls__live" aria-live="polite">
            Live: new calls appear as they start.
          </Text>
        )}
      </div>
      <CallsFilterBar filters={filters} flows={flows} onChange={setFilters} />
      {error && (
        <MessageBar intent="error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
      {!items && !error && <Spinner label="Loading calls…" />}
      {items && (
        <Table aria-label="Calls" size="small" className="sb-calls__table">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Started</TableHeaderCell>
              <TableHeaderCell>Flow</TableHeaderCell>
              <TableHeaderCell>Version</TableHeaderCell>
              <TableHeaderCell>Kind</TableHeaderCell>
              <TableHeaderCell>Status</TableHeaderCell>
              <TableHeaderCell>From → to</TableHeaderCell>
              <TableHeaderCell>End reason</TableHeaderCell>
              <TableHeaderCell>Duration</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {items.map((run) => (
              <RunRow key={run.id} run={run} flowName={flowNames.get(run.flowId)} now={now} />
            ))}
          </TableBody>
        </Table>
      )}
      {items && items.length === 0 && <Text>No calls match these filters.</Text>}
      {nextCursor && items && (
        <Button onClick={() => void loadMore()} disabled={loadingMore} className="sb-calls__more">
          {loadingMore ? 'Loading…' : 'Load more'}
        </Button>
      )}
    </main>
  );
}

function RunRow({ run, flowName, now }: { run: RunDto; flowName?: string; now: number }) {
  const open = () => navigate({ page: 'run', runId: run.id });
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      open();
    }
  };
  return (
    <TableRow
      className="sb-calls__row"
      data-run-id={run.id}
      onClick={open}
      onKeyDown={onKeyDown}
      tabIndex={0}
    >
      <TableCell>
        <Link
          href={`#${routePath({ page: 'run', runId: run.id })}`}
          onClick={(e) => e.stopPropagation()}
        >
          {formatStarted(run.startedAt)}
        </Link>
      </TableCell>
      <TableCell>{flowName ?? run.flowId}</TableCell>
      <TableCell>{versionText(run)}</TableCell>
      <TableCell>
        <Badge appearance="tint" color={run.test ? 'important' : 'informative'}>
          {run.test ? 'Test' : 'Real'}
        </Badge>
      </TableCell>
      <TableCell>
        <Badge appearance="filled" color={run.status === 'running' ? 'success' : 'subtle'}>
          {run.status === 'running' ? 'Running' : 'Ended'}
        </Badge>
      </TableCell>
      <TableCell>
        {run.from} → {run.to}
      </TableCell>
      <TableCell>{endReasonText(run.endReason)}</TableCell>
      <TableCell>{formatDuration(run, now)}</TableCell>
    </TableRow>
  );
}

const KIND_LABELS: Record<RunKind, string> = {
  real: 'Real calls',
  test: 'Test calls',
  all: 'Real and test calls',
};

function CallsFilterBar({
  filters,
  flows,
  onChange,
}: {
  filters: CallsFilters;
  flows: FlowSummary[];
  onChange: (filters: CallsFilters) => void;
}) {
  const [versions, setVersions] = useState<VersionSummary[]>([]);
  const [nodeLabel, setNodeLabel] = useState<string>();
  const [number, setNumber] = useState(filters.number ?? '');
  const update = (patch: Partial<CallsFilters>) => {
    const next: CallsFilters = { ...filters, ...patch };
    for (const key of Object.keys(next) as (keyof CallsFilters)[]) {
      if (next[key] === undefined || next[key] === '') delete next[key];
    }
    onChange(next);
  };

  // The versions of the chosen flow, and the name of the node filtered on (from its draft).
  useEffect(() => {
    let cancelled = false;
    if (!filters.flowId) return;
    api
      .getFlow(filters.flowId)
      .then((flow) => {
        if (cancelled) return;
        setVersions([...flow.versions].sort((a, b) => b.version - a.version));
        const node = filters.nodeId
          ? flow.draft.nodes.find((n) => n.id === filters.nodeId)
          : undefined;
        setNodeLabel(node ? nodeName(node, node.id) : undefined);
      })
      .catch(() => {
        if (!cancelled) setVersions([]);
      });
    return () => {
      cancelled = true;
    };
  }, [filters.flowId, filters.nodeId]);

  // Typing in the number box: apply once it pauses; follow the URL when it changes elsewhere.
  const applied = filters.number ?? '';
  const latest = useRef({ filters, onChange });
  useEffect(() => {
    latest.current = { filters, onChange };
  });
  const [shownApplied, setShownApplied] = useState(applied);
  if (shownApplied !== applied) {
    setShownApplied(applied);
    setNumber(applied);
  }
  useEffect(() => {
    if (number.trim() === applied) return;
    const timer = setTimeout(() => {
      const { filters: current, onChange: change } = latest.current;
      const next = { ...current };
      if (number.trim()) next.number = number.trim();
      else delete next.number;
      change(next);
    }, TYPING_MS);
    return () => clearTimeout(timer);
  }, [number, applied]);

  const endReasons: string[] = [...END_REASONS];
  if (filters.endReason && !endReasons.includes(filters.endReason))
    endReasons.push(filters.endReason);

  return (
    <div className="sb-calls__filters" role="search" aria-label="Filter calls">
      <Field label="Flow">
        <Select
          value={filters.flowId ?? ''}
          onChange={(_, d) =>
            update({ flowId: d.value || undefined, version: undefined, nodeId: undefined })
          }
        >
          <option value="">All flows</option>
          {flows.map((f) => (
            <option key={f.id} value={f.id}>
              {f.name}
            </option>
          ))}
          {filters.flowId && !flows.some((f) => f.id === filters.flowId) && (
            <option value={filters.flowId}>{filters.flowId}</option>
          )}
        </Select>
      </Field>
      <Field label="Version">
        <Select
          value={filters.version === undefined ? '' : String(filters.version)}
          disabled={!filters.flowId}
          onChange={(_, d) => update({ version: d.value ? Number(d.value) : undefined })}
        >
          <option value="">Any version</option>
          <option value="0">Drafts (test calls)</option>
          {(filters.flowId ? versions : []).map((v) => (
            <option key={v.version} value={v.version}>
              Version {v.version}
            </option>
          ))}
          {filters.version !== undefined &&
            !versions.some((v) => v.version === filters.version) && (
              <option value={filters.version}>Version {filters.version}</option>
            )}
        </Select>
      </Field>
      <Field label="Status">
        <Select
          value={filters.status ?? ''}
          onChange={(_, d) =>
            update({ status: d.value === 'running' || d.value === 'ended' ? d.value : undefined })
          }
        >
          <option value="">Any status</option>
          <option value="running">Running</option>
          <option value="ended">Ended</option>
        </Select>
      </Field>
      <Field label="Calls">
        <Select
          value={filters.kind ?? 'real'}
          onChange={(_, d) =>
            update({ kind: d.value === 'real' ? undefined : (d.value as RunKind) })
          }
        >
          {(Object.keys(KIND_LABELS) as RunKind[]).map((kind) => (
            <option key={kind} value={kind}>
              {KIND_LABELS[kind]}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Started from">
        <Input
          type="datetime-local"
          value={isoToLocalInput(filters.from)}
          onChange={(_, d) => update({ from: localInputToIso(d.value) })}
        />
      </Field>
      <Field label="Started before">
        <Input
          type="datetime-local"
          value={isoToLocalInput(filters.to)}
          onChange={(_, d) => update({ to: localInputToIso(d.value) })}
        />
      </Field>
      <Field label="Caller or dialled number">
        <Input value={number} placeholder="+1425…" onChange={(_, d) => setNumber(d.value)} />
      </Field>
      <Field label="End reason">
        <Select
          value={filters.endReason ?? ''}
          onChange={(_, d) => update({ endReason: d.value || undefined })}
        >
          <option value="">Any end reason</option>
          {endReasons.map((r) => (
            <option key={r} value={r}>
              {endReasonText(r)}
            </option>
          ))}
        </Select>
      </Field>
      {filters.nodeId && (
        <Button
          appearance="outline"
          icon={<DismissRegular />}
          iconPosition="after"
          onClick={() => update({ nodeId: undefined })}
          className="sb-calls__node-filter"
          title="Remove the node filter"
        >
          Through node: {nodeLabel ?? filters.nodeId}
        </Button>
      )}
    </div>
  );
}
