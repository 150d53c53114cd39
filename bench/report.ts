/**
 * The figures `npm run bench` reports, their goals and references, the one markdown table and
 * the results file (bench/results/<UTC timestamp>.json). Pure: the orchestrator (run.ts) hands
 * in what the phases measured.
 */

export type Figures = Record<string, number>;

/** A goal on a figure: a fixed bound, or a multiple of another figure of the same run. */
export interface Goal {
  op: '>=' | '<=' | '<';
  value?: number;
  /** The bound is `factor` × this figure (measured in the same run). */
  of?: string;
  factor?: number;
  /** Only judged on a full-size run (a quick run measures less of it). */
  fullSizeOnly?: boolean;
}

export interface FigureDef {
  key: string;
  label: string;
  unit: string;
  goal?: Goal;
  /** The figure this one is compared with (measured in the same run); the table gives the ratio. */
  reference?: string;
}

/** The table's rows, in order. Each key is also a top-level key of the results file. */
export const FIGURES: FigureDef[] = [
  {
    key: 'eventsPerSecond',
    label: 'callbacks/s, closed loop',
    unit: '/s',
    goal: { op: '>=', value: 1000 },
    reference: 'commitPerSecond',
  },
  {
    key: 'openCarriedPerSecond',
    label: 'callbacks/s carried at 1,000/s offered',
    unit: '/s',
    goal: { op: '>=', value: 990 },
  },
  {
    key: 'p99Ms',
    label: 'p99 callback → action at 1,000/s',
    unit: 'ms',
    goal: { op: '<=', of: 'commitP99Ms', factor: 1.5 },
    reference: 'commitP99Ms',
  },
  {
    key: 'inMemoryRatio',
    label: 'engine ÷ in-memory handler (throughput)',
    unit: '×',
    reference: 'inMemoryPerSecond',
  },
  {
    key: 'commitCeilingRatio',
    label: 'engine ÷ bare commit loop (throughput)',
    unit: '×',
    reference: 'commitPerSecond',
  },
  {
    key: 'cpuMsPerEvent',
    label: 'CPU per callback, engine + Postgres',
    unit: 'ms',
    goal: { op: '<=', of: 'inMemoryCpuMsPerEvent', factor: 1.5 },
    reference: 'inMemoryCpuMsPerEvent',
  },
  {
    key: 'dbosRatio',
    label: 'Switchboard ÷ DBOS peer (throughput)',
    unit: '×',
    goal: { op: '>=', value: 2 },
    reference: 'dbosPerSecond',
  },
  {
    key: 'dbosP99Ms',
    label: 'DBOS peer p99 at 1,000/s',
    unit: 'ms',
    reference: 'p99Ms',
  },
  {
    key: 'dbosCpuMsPerEvent',
    label: 'DBOS peer CPU per callback, + Postgres',
    unit: 'ms',
    reference: 'cpuMsPerEvent',
  },
  {
    key: 'newCallsPerSecond',
    label: 'new calls/s (IncomingCall → menu prompt)',
    unit: '/s',
    goal: { op: '>=', value: 200 },
  },
  {
    key: 'ivrCallsPerSecond',
    label: 'whole IVR path: calls/s completed',
    unit: '/s',
    reference: 'ivrOfferedPerSecond',
  },
  { key: 'ivrStepP50Ms', label: 'whole IVR path: per-step p50', unit: 'ms' },
  { key: 'ivrStepP99Ms', label: 'whole IVR path: per-step p99', unit: 'ms' },
  {
    key: 'inflightCalls',
    label: 'calls held in flight (menu)',
    unit: '',
    goal: { op: '>=', value: 5000, fullSizeOnly: true },
  },
  {
    key: 'inflightRssMb',
    label: 'engine RSS with them held',
    unit: 'MB',
    goal: { op: '<', value: 1024 },
    reference: 'idleRssMb',
  },
  {
    key: 'inflightP99Ms',
    label: 'callback p99 with them held',
    unit: 'ms',
    reference: 'ivrStepP99Ms',
  },
  {
    key: 'stepRatio2000vs20',
    label: 'per-step latency, 2,000- ÷ 20-node flow',
    unit: '×',
    goal: { op: '<=', value: 1.5 },
    reference: 'step20P50Ms',
  },
  {
    key: 'analyticsMs',
    label: 'path analytics, 7 days',
    unit: 'ms',
    goal: { op: '<', value: 500 },
    reference: 'analyticsColdMs',
  },
  {
    key: 'replay5000Ms',
    label: 'replay of 5,000 runs',
    unit: 'ms',
    goal: { op: '<', value: 5000, fullSizeOnly: true },
  },
  {
    key: 'retentionP99Ms',
    label: 'p99 callback → action while retention runs',
    unit: 'ms',
    goal: { op: '<=', of: 'retentionAloneP99Ms', factor: 1.5 },
    reference: 'retentionAloneP99Ms',
  },
  {
    key: 'twoEnginesRatio',
    label: 'two engines ÷ one (throughput)',
    unit: '×',
    reference: 'oneEnginePerSecond',
  },
];

const fmt = (v: number | undefined, unit = '') => {
  if (v === undefined || !Number.isFinite(v)) return 'not measured';
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  const n = v.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  return unit === '' ? n : unit === '×' ? `${n}×` : `${n} ${unit}`;
};

export type Verdict = 'met' | 'missed' | 'not measured' | 'n/a (quick run)' | '';

/** The bound a goal sets in this run (a multiple of another figure, or fixed). */
export function goalBound(goal: Goal, figures: Figures): number | undefined {
  if (goal.value !== undefined) return goal.value;
  const base = goal.of ? figures[goal.of] : undefined;
  return base === undefined ? undefined : base * (goal.factor ?? 1);
}

export function verdict(def: FigureDef, figures: Figures, quick: boolean): Verdict {
  if (!def.goal) return '';
  if (def.goal.fullSizeOnly && quick) return 'n/a (quick run)';
  const v = figures[def.key];
  const bound = goalBound(def.goal, figures);
  if (v === undefined || !Number.isFinite(v) || bound === undefined || !Number.isFinite(bound))
    return 'not measured';
  const ok = def.goal.op === '>=' ? v >= bound : def.goal.op === '<=' ? v <= bound : v < bound;
  return ok ? 'met' : 'missed';
}

function goalText(def: FigureDef, figures: Figures): string {
  const g = def.goal;
  if (!g) return '—';
  const op = g.op === '>=' ? '≥' : g.op === '<=' ? '≤' : '<';
  if (g.value !== undefined) return `${op} ${fmt(g.value, def.unit)}`;
  const bound = goalBound(g, figures);
  return `${op} ${g.factor}× ${g.of}${bound !== undefined ? ` (${fmt(bound, def.unit)})` : ''}`;
}

/** The one markdown table: figure | measured | goal | reference | ratio | met?. */
export function renderTable(figures: Figures, quick: boolean, defs = FIGURES): string {
  const rows = [
    ['figure', 'measured', 'goal', 'reference (same run)', 'ratio', 'met?'],
    ['---', '---:', '---', '---', '---:', '---'],
  ];
  for (const def of defs) {
    const v = figures[def.key];
    const ref = def.reference ? figures[def.reference] : undefined;
    // A figure that is itself a ratio names what it divides as its reference.
    const ratio =
      def.unit !== '×' && v !== undefined && ref !== undefined && ref !== 0 ? v / ref : undefined;
    rows.push([
      `${def.label} (\`${def.key}\`)`,
      fmt(v, def.unit),
      goalText(def, figures),
      def.reference ? `${def.reference} ${fmt(ref)}` : '—',
      ratio === undefined ? '—' : `${ratio.toFixed(2)}×`,
      verdict(def, figures, quick) || '—',
    ]);
  }
  return rows.map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** `2026-12-01T16:40:00.123Z` → `2026-12-01T16-40-00Z` (a file name on every system). */
export function resultFileName(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace(/:/g, '-')}Z.json`;
}

export interface PhaseRecord {
  seconds: number;
  figures: Figures;
  details?: unknown;
  error?: string;
}

/** The results file: every figure at the top level, then the run's provenance and each phase. */
export function buildResults(input: {
  at: Date;
  commit: string;
  machine: Record<string, unknown>;
  quick: boolean;
  settings: Record<string, string>;
  phases: Record<string, PhaseRecord>;
}): Record<string, unknown> {
  const figures: Figures = {};
  for (const p of Object.values(input.phases)) Object.assign(figures, p.figures);
  const goals = Object.fromEntries(
    FIGURES.filter((d) => d.goal).map((d) => [d.key, verdict(d, figures, input.quick)]),
  );
  return {
    ...Object.fromEntries(FIGURES.map((d) => [d.key, figures[d.key] ?? null])),
    ...figures,
    commit: input.commit,
    machine: input.machine,
    timestamp: input.at.toISOString(),
    quick: input.quick,
    settings: input.settings,
    goals,
    phases: input.phases,
  };
}
