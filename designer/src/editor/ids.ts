/**
 * Node and edge ids are part of the saved document (edges, run history and test reports name
 * them), so they are made in one place: readable (`menu-k3x9a`, `menu-k3x9a:timeout`) and never
 * one a flow already has. Document mapping (new and pasted nodes) and outcome edges share them.
 */

export function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 7);
}

export function newNodeId(type: string, taken: (id: string) => boolean): string {
  const base = (type.split('.').pop() ?? 'node').replace(/[^A-Za-z0-9]/g, '') || 'node';
  for (;;) {
    const id = `${base}-${randomSuffix()}`;
    if (!taken(id)) return id;
  }
}

/** An edge is named after the outcome it leaves from: an outcome holds one edge. */
export function edgeIdFor(source: string, outcome: string): string {
  return `${source}:${outcome}`;
}
