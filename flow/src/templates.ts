import { Liquid, type Template } from 'liquidjs';

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
});

export type ParsedTemplate = Template[];

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
  return raw.split('\n')[0] ?? raw;
}

/** Plain text needs no engine; most prompts are plain text. */
export function isPlainText(text: string): boolean {
  return !text.includes('{{') && !text.includes('{%');
}

/** Top-level names a template reads, as paths: `{{ vars.x }}` → ['vars', 'x']. */
export function readPaths(template: ParsedTemplate): (string | number)[][] {
  const out: (string | number)[][] = [];
  for (const seg of liquid.globalVariableSegmentsSync(template)) {
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

export interface TemplateScope {
  call: Record<string, string>;
  vars: Readonly<Record<string, string>>;
  results: Readonly<Record<string, unknown>>;
}

/** Renders a parsed template; throws on render errors (callers catch and trace them). */
export function renderParsed(template: ParsedTemplate, scope: TemplateScope): string {
  const out: unknown = liquid.renderSync(template, scope);
  return typeof out === 'string' ? out : String(out);
}

/**
 * Parses once per distinct text. Keyed by text, owned by a compiled flow, so its size is
 * bounded by the flow's templates.
 */
export class TemplateCache {
  private readonly parsed = new Map<string, ParsedTemplate | Error>();

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
  ): { ok: true; text: string } | { ok: false; message: string } {
    if (isPlainText(text)) return { ok: true, text };
    try {
      return { ok: true, text: renderParsed(this.get(text), scope) };
    } catch (e) {
      return { ok: false, message: liquidMessage(e) };
    }
  }
}
