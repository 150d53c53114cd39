import { Liquid, type FilterImplOptions, type Template } from 'liquidjs';
import { strftime, toInstant, wallClock, type TemplateClock } from './template-dates.js';

/**
 * One Liquid engine for the whole package. `templates: {}` gives it an empty in-memory file
 * system, so {% include %} / {% render %} can never reach a disk (and the package stays
 * isomorphic). Filters are strict so a misspelt filter is a validation error, not silence.
 */
const liquid = new Liquid({
  templates: {},
  strictFilters: true,
  strictVariables: false,
  ownPropertyOnly: true,
  // A prompt is short text: cap the work one template can ask for.
  parseLimit: 100_000,
  memoryLimit: 1_000_000,
  // A prompt renders in microseconds; 50 ms is a loop gone wrong, holding the engine's event
  // loop. (Generous, so that a loaded machine never cuts a normal template short.)
  renderLimit: 50,
});

/** Longest text a template may render (a prompt or a header value). */
export const MAX_RENDERED_CHARS = 8 * 1024;

/** The render's clock, out of the templates' reach (a symbol key is no template variable). */
const CLOCK = Symbol('clock');

// Tags that would read other templates (files): refused when the template is parsed, so the
// validator names the node and field and nothing can load a file at run time.
for (const tag of ['include', 'render', 'layout']) {
  liquid.registerTag(tag, {
    parse() {
      throw new Error(`{% ${tag} %} is not available in flow templates`);
    },
    render() {
      return '';
    },
  });
}

function clockOf(ctx: { globals?: unknown }): TemplateClock {
  const c = (ctx.globals as Record<symbol, TemplateClock> | undefined)?.[CLOCK];
  // Without a clock (validation renders nothing): a fixed one, never the host's.
  return c ?? { now: 0, timeZone: 'UTC' };
}

/** Liquid's date filters on the step's clock and the flow's time zone (see template-dates). */
const dateFilter = (format?: (f: unknown) => string): FilterImplOptions =>
  function (this: { context: { globals?: unknown } }, v: unknown, f?: unknown, tz?: unknown) {
    const clock = clockOf(this.context);
    const at = toInstant(v, clock);
    if (at === undefined) return v;
    const zone = typeof tz === 'string' && tz ? tz : clock.timeZone;
    let w;
    try {
      w = wallClock(at, zone);
    } catch {
      w = wallClock(at, clock.timeZone);
    }
    const fmt = format ? format(f) : typeof f === 'string' ? f : '%a, %b %d, %y';
    return strftime(w, fmt, zone);
  };
liquid.registerFilter('date', dateFilter());
liquid.registerFilter(
  'date_to_xmlschema',
  dateFilter(() => '%Y-%m-%dT%H:%M:%S%:z'),
);
liquid.registerFilter(
  'date_to_rfc822',
  dateFilter(() => '%a, %d %b %Y %H:%M:%S %z'),
);
liquid.registerFilter(
  'date_to_string',
  dateFilter(() => '%d %b %Y'),
);
liquid.registerFilter(
  'date_to_long_string',
  dateFilter(() => '%d %B %Y'),
);

export type ParsedTemplate = Template[];

/** What every template can read about the call, as `call.<field>`. */
export const CALL_TEMPLATE_FIELDS = ['from', 'to', 'callerDisplayName', 'correlationId'] as const;

/** Parses a template, or returns the error message for an analyst. */
export function parseTemplate(
  text: string,
): { ok: true; template: ParsedTemplate } | { ok: false; message: string } {
  try {
    return { ok: true, template: liquid.parse(text) };
  } catch (e) {
    return { ok: false, message: liquidMessage(e) };
  }
}

function liquidMessage(e: unknown): string {
  const raw = e instanceof Error ? e.message : String(e);
  // Liquid appends ", line:1, col:5" and sometimes a source excerpt; keep the first line.
  return analystMessage((raw.split('\n')[0] ?? raw).replace(/, line:\d+, col:\d+$/, ''));
}

/**
 * Liquid's parse errors say what its parser met ("output "{{ vars.x" not closed"); an analyst
 * needs what to fix. The issue's path still says which field it is.
 */
const ANALYST_MESSAGES: [RegExp, (m: RegExpMatchArray) => string][] = [
  [
    // A quote opened inside {{ … }} swallows the closing }} too.
    /^output "\{\{[^"]*?(["']).*\}\}" not closed$/s,
    (m) =>
      `The text has a ${m[1]} inside {{ … }} with no closing ${m[1]}: add it where the words end`,
  ],
  [
    /^output "\{\{\s*(.*?)\s*"? not closed$/s,
    (m) =>
      `The text has a {{ without its closing }}${m[1] ? ` after “${m[1]}”` : ''}: add }} where the value ends`,
  ],
  [
    /^tag \{%-?\s*(\w+)(.*?)-?%\} not closed$/s,
    (m) =>
      `“{% ${m[1]}${m[2]?.trimEnd() ?? ''} %}” has no {% end${m[1]} %} after it: add one where it should stop`,
  ],
  [
    /^raw .* not closed$/s,
    () => 'The text has a {% raw %} with no {% endraw %} after it: add one where it should stop',
  ],
  [
    /^tag "(end(\w+))" not found$/,
    (m) =>
      `The text has a {% ${m[1]} %} with no {% ${m[2]} … %} before it: remove it or add the start`,
  ],
  [
    /^tag "(\w+)" not found$/,
    (m) =>
      `“{% ${m[1]} %}” is not something a template can do; to say a value, write {{ … }} instead`,
  ],
  [
    /^undefined filter: (\S+)$/,
    (m) => `“| ${m[1]}” is not a filter templates know: check its spelling or remove it`,
  ],
  [
    /^invalid value expression: ""$/,
    () => 'The text has an empty {{ }} or tag: put a value in it, such as {{ call.from }}',
  ],
  [/^illegal tag: (.*)$/, (m) => `“${m[1]}” is not complete: check what follows the tag's name`],
];

/** An analyst's version of a Liquid message; messages of its own (render limits) pass as they are. */
export function analystMessage(message: string): string {
  for (const [pattern, say] of ANALYST_MESSAGES) {
    const m = message.match(pattern);
    if (m) return say(m);
  }
  return message;
}

/** Plain text needs no engine; most prompts are plain text. */
export function isPlainText(text: string): boolean {
  return !text.includes('{{') && !text.includes('{%');
}

/** Top-level names a template reads, as paths: `{{ vars.x }}` → ['vars', 'x']. */
export function readPaths(template: ParsedTemplate): (string | number)[][] {
  const out: (string | number)[][] = [];
  let segments;
  try {
    segments = liquid.globalVariableSegmentsSync(template);
  } catch {
    // Liquid could not analyse it (no tag here reads files): nothing is known to be read.
    return out;
  }
  for (const seg of segments) {
    const path: (string | number)[] = [];
    for (const s of seg) {
      // A dynamic index ({{ vars[x] }}) ends what can be known statically.
      if (typeof s !== 'string' && typeof s !== 'number') break;
      path.push(s);
    }
    out.push(path);
  }
  return out;
}

export type TemplateAnalysis =
  { ok: true; reads: (string | number)[][] } | { ok: false; message: string };

const analyses = new Map<string, TemplateAnalysis>();
const ANALYSIS_CACHE_SIZE = 10_000;

/**
 * Parse check plus the names a template reads. Memoised by text (the designer revalidates on
 * every edit, and most texts do not change between two validations); bounded.
 */
export function analyseTemplate(text: string): TemplateAnalysis {
  if (isPlainText(text)) return { ok: true, reads: [] };
  let a = analyses.get(text);
  if (!a) {
    const parsed = parseTemplate(text);
    a = parsed.ok ? { ok: true, reads: readPaths(parsed.template) } : parsed;
    if (analyses.size >= ANALYSIS_CACHE_SIZE) analyses.clear();
    analyses.set(text, a);
  }
  return a;
}

export interface TemplateScope {
  call: Record<string, string>;
  vars: Readonly<Record<string, string>>;
  results: Readonly<Record<string, unknown>>;
  env?: Readonly<Record<string, string>>;
}

/**
 * Renders a parsed template; throws on render errors (callers catch and trace them), on a
 * render over its time budget (Liquid's renderLimit) and on an output over MAX_RENDERED_CHARS.
 * Time-dependent filters read `clock`, never the host.
 */
export function renderParsed(
  template: ParsedTemplate,
  scope: TemplateScope,
  clock?: TemplateClock,
): string {
  const out: unknown = liquid.renderSync(template, scope, {
    globals: clock ? { [CLOCK]: clock } : {},
  });
  const text = typeof out === 'string' ? out : String(out);
  if (text.length > MAX_RENDERED_CHARS) {
    throw new Error(`the text it renders is longer than ${MAX_RENDERED_CHARS / 1024} KB`);
  }
  return text;
}

/** Text and `{{ a.b.c }}` outputs only: the shape of most prompts. */
type Simple = (string | string[])[];

const SIMPLE_OUTPUT = /\{\{-?\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*-?\}\}/g;
// Liquid gives these names meaning on any value (size of a string, first of an array…).
const SPECIAL = new Set(['size', 'first', 'last']);

/**
 * Splits a template into text and variable paths when that is all it is, so the common case
 * renders without the Liquid engine; undefined when Liquid is needed.
 */
function simplify(text: string): Simple | undefined {
  const out: Simple = [];
  let last = 0;
  for (const m of text.matchAll(SIMPLE_OUTPUT)) {
    const literal = text.slice(last, m.index);
    if (literal.includes('{{') || literal.includes('{%')) return undefined;
    // Whitespace control ({{- -}}) trims the text around it: leave that to Liquid.
    if (m[0].startsWith('{{-') || m[0].endsWith('-}}')) return undefined;
    const path = (m[1] as string).split('.');
    if (path.some((p) => SPECIAL.has(p))) return undefined;
    if (literal !== '') out.push(literal);
    out.push(path);
    last = m.index + m[0].length;
  }
  const rest = text.slice(last);
  if (rest.includes('{{') || rest.includes('{%')) return undefined;
  if (rest !== '') out.push(rest);
  return out;
}

/** Renders a simple template; undefined when a value is not a plain string or number. */
function renderSimple(t: Simple, scope: TemplateScope): string | undefined {
  let s = '';
  for (const part of t) {
    if (typeof part === 'string') {
      s += part;
      continue;
    }
    let v: unknown = scope;
    for (const key of part) {
      if (v === null || typeof v !== 'object' || !Object.hasOwn(v, key)) {
        v = undefined;
        break;
      }
      v = (v as Record<string, unknown>)[key];
    }
    if (typeof v === 'string') s += v;
    else if (typeof v === 'number') s += String(v);
    else if (v !== undefined && v !== null) return undefined;
  }
  return s;
}

/**
 * Parses once per distinct text. Keyed by text, owned by a compiled flow, so its size is
 * bounded by the flow's templates.
 */
export class TemplateCache {
  private readonly parsed = new Map<string, ParsedTemplate | Error>();
  private readonly simple = new Map<string, Simple | null>();

  get(text: string): ParsedTemplate {
    let t = this.parsed.get(text);
    if (t === undefined) {
      try {
        t = liquid.parse(text);
      } catch (e) {
        t = e instanceof Error ? e : new Error(String(e));
      }
      this.parsed.set(text, t);
    }
    if (t instanceof Error) throw t;
    return t;
  }

  /** Renders `text`, or returns the error (never throws). */
  render(
    text: string,
    scope: TemplateScope,
    clock?: TemplateClock,
  ): { ok: true; text: string } | { ok: false; message: string } {
    if (isPlainText(text)) return { ok: true, text };
    let simple = this.simple.get(text);
    if (simple === undefined) {
      // Only texts Liquid accepts take the short cut, so errors still surface the same way.
      simple = parseTemplate(text).ok ? (simplify(text) ?? null) : null;
      this.simple.set(text, simple);
    }
    if (simple) {
      const out = renderSimple(simple, scope);
      if (out !== undefined && out.length <= MAX_RENDERED_CHARS) return { ok: true, text: out };
    }
    try {
      return { ok: true, text: renderParsed(this.get(text), scope, clock) };
    } catch (e) {
      return { ok: false, message: liquidMessage(e) };
    }
  }
}
