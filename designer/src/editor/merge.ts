/**
 * A three-way merge of flow documents, for a save that found the draft changed on the server:
 * base (the revision this editor loaded or last saved), mine (the editor's document) and theirs
 * (the server's). Changes are compared field by field — a node's label, type, type version and
 * each config setting; each outcome's connection; each document setting — so edits that do not
 * touch the same field merge. Only a field both sides changed to different values, or a node one
 * side deleted while the other changed it, is a conflict; each conflict is decided by `choose`
 * (mine unless told otherwise) and listed with both values.
 *
 * Node moves never conflict: when both moved a node, this editor's position is kept (a layout
 * is not worth a question).
 */
import type { FlowDocument } from '@switchboard/flow';
import { nodeType } from '../catalogue.js';
import { describeField, humanize } from '../forms/schema.js';
import type * as z from 'zod';

type Node = FlowDocument['nodes'][number];
type Edge = FlowDocument['edges'][number];
export type Side = 'mine' | 'theirs';

export interface MergeConflict {
  /** Stable within one merge: what `choose` is asked about. */
  key: string;
  /** Where, in words: the node's label, or "Flow settings". */
  where: string;
  /** What, in words: the setting's title ("Prompt"), "Connection of 1 · Sales", "Node". */
  field: string;
  mine: string;
  theirs: string;
}

export interface MergeResult {
  merged: FlowDocument;
  conflicts: MergeConflict[];
}

const stable = (v: unknown): string =>
  v === undefined
    ? 'undefined'
    : JSON.stringify(v, (_k, x: unknown) =>
        x && typeof x === 'object' && !Array.isArray(x)
          ? Object.fromEntries(
              Object.entries(x as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
            )
          : x,
      );
const same = (a: unknown, b: unknown) => stable(a) === stable(b);

function show(value: unknown): string {
  if (value === undefined) return '(none)';
  if (typeof value === 'string') return value === '' ? '(empty)' : value;
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

const nameOf = (n: Node | undefined) =>
  n ? n.label || nodeType(n.type, n.typeVersion)?.label || n.type : 'a deleted node';

function settingTitle(node: Node, key: string): string {
  const schema = nodeType(node.type, node.typeVersion)?.configSchema.shape[key] as
    z.ZodType | undefined;
  return schema ? (describeField(schema).meta.title ?? humanize(key)) : humanize(key);
}

export function mergeDrafts(
  base: FlowDocument,
  mine: FlowDocument,
  theirs: FlowDocument,
  choose: (key: string) => Side = () => 'mine',
): MergeResult {
  const conflicts: MergeConflict[] = [];
  /** The 3-way value of one field; a conflict is recorded and decided by `choose`. */
  const pick = <T>(
    key: string,
    b: T,
    m: T,
    t: T,
    describe: () => Omit<MergeConflict, 'key' | 'mine' | 'theirs'>,
    format: (v: T) => string = show,
  ): T => {
    if (same(m, t)) return m;
    if (same(m, b)) return t;
    if (same(t, b)) return m;
    conflicts.push({ key, ...describe(), mine: format(m), theirs: format(t) });
    return choose(key) === 'mine' ? m : t;
  };

  // Document settings: everything but the nodes and edges, key by key.
  const { nodes: _bn, edges: _be, ...baseMeta } = base;
  const { nodes: _mn, edges: _me, ...mineMeta } = mine;
  const { nodes: _tn, edges: _te, ...theirMeta } = theirs;
  const meta: Record<string, unknown> = {};
  const metaKeys = new Set([
    ...Object.keys(baseMeta),
    ...Object.keys(mineMeta),
    ...Object.keys(theirMeta),
  ]);
  for (const key of metaKeys) {
    const value = pick(
      `meta:${key}`,
      (baseMeta as Record<string, unknown>)[key],
      (mineMeta as Record<string, unknown>)[key],
      (theirMeta as Record<string, unknown>)[key],
      () => ({ where: 'Flow settings', field: humanize(key) }),
    );
    if (value !== undefined) meta[key] = value;
  }

  // Nodes by id, in mine's order, then theirs' new ones.
  const byId = (doc: FlowDocument) => new Map(doc.nodes.map((n) => [n.id, n]));
  const b = byId(base);
  const m = byId(mine);
  const t = byId(theirs);
  const ids = [...new Set([...mine.nodes.map((n) => n.id), ...theirs.nodes.map((n) => n.id)])];
  const nodes: Node[] = [];
  for (const id of ids) {
    const bn = b.get(id);
    const mn = m.get(id);
    const tn = t.get(id);
    if (!mn || !tn) {
      const kept = mn ?? tn!;
      if (!bn) {
        nodes.push(kept); // added on one side
        continue;
      }
      // Deleted on one side: gone, unless the other side changed it meanwhile.
      const changedMeanwhile = !same({ ...kept, position: 0 }, { ...bn, position: 0 });
      if (!changedMeanwhile) continue;
      const deletedBy: Side = mn ? 'theirs' : 'mine';
      const key = `node:${id}`;
      conflicts.push({
        key,
        where: nameOf(kept),
        field: 'Node',
        mine: deletedBy === 'mine' ? 'deleted' : 'changed',
        theirs: deletedBy === 'theirs' ? 'deleted' : 'changed',
      });
      if (choose(key) !== deletedBy) nodes.push(kept);
      continue;
    }
    if (!bn) {
      // Added on both sides with the same id: one node if they agree, else field by field.
      nodes.push(mergeNode(mn, mn, tn));
      continue;
    }
    nodes.push(mergeNode(bn, mn, tn));
  }

  function mergeNode(bn: Node, mn: Node, tn: Node): Node {
    const where = () => nameOf(mn);
    const type = pick(`node:${mn.id}:type`, bn.type, mn.type, tn.type, () => ({
      where: where(),
      field: 'Node type',
    }));
    const typeVersion = pick(
      `node:${mn.id}:typeVersion`,
      bn.typeVersion,
      mn.typeVersion,
      tn.typeVersion,
      () => ({ where: where(), field: 'Node type version' }),
    );
    const label = pick(`node:${mn.id}:label`, bn.label, mn.label, tn.label, () => ({
      where: where(),
      field: 'Label',
    }));
    const position = same(mn.position, bn.position) ? tn.position : mn.position;
    const config: Record<string, unknown> = {};
    const keys = new Set([
      ...Object.keys(bn.config),
      ...Object.keys(mn.config),
      ...Object.keys(tn.config),
    ]);
    for (const key of keys) {
      const value = pick(
        `node:${mn.id}:config:${key}`,
        bn.config[key],
        mn.config[key],
        tn.config[key],
        () => ({ where: where(), field: settingTitle(mn, key) }),
      );
      if (value !== undefined) config[key] = value;
    }
    // Any other member a node may carry (future fields) is merged as a whole.
    const rest: Record<string, unknown> = {};
    const known = new Set(['id', 'type', 'typeVersion', 'label', 'position', 'config']);
    for (const key of new Set([...Object.keys(bn), ...Object.keys(mn), ...Object.keys(tn)])) {
      if (known.has(key)) continue;
      const r = (n: Node) => (n as unknown as Record<string, unknown>)[key];
      const value = pick(`node:${mn.id}:${key}`, r(bn), r(mn), r(tn), () => ({
        where: where(),
        field: humanize(key),
      }));
      if (value !== undefined) rest[key] = value;
    }
    return {
      ...rest,
      id: mn.id,
      type,
      ...(typeVersion !== undefined ? { typeVersion } : {}),
      ...(label !== undefined ? { label } : {}),
      position,
      config,
    } as Node;
  }

  // Edges: each outcome holds at most one, so they are compared by their source outcome.
  const outcomeKey = (e: Edge) => `${e.source}\u0000${e.sourceOutcome}`;
  const byOutcome = (doc: FlowDocument) => new Map(doc.edges.map((e) => [outcomeKey(e), e]));
  const be = byOutcome(base);
  const me = byOutcome(mine);
  const te = byOutcome(theirs);
  const present = new Set(nodes.map((n) => n.id));
  const mergedNodes = new Map(nodes.map((n) => [n.id, n]));
  const edges: Edge[] = [];
  const outcomes = [...new Set([...me.keys(), ...te.keys()])];
  for (const key of outcomes) {
    const [source] = key.split('\u0000');
    const targetOf = (e: Edge | undefined) => e?.target;
    const edge = (me.get(key) ?? te.get(key))!;
    const target = pick(
      `edge:${key}`,
      targetOf(be.get(key)),
      targetOf(me.get(key)),
      targetOf(te.get(key)),
      () => ({
        where: nameOf(mergedNodes.get(source!) ?? m.get(source!) ?? t.get(source!)),
        field: `Connection of ${edge.sourceOutcome}`,
      }),
      (id) => (id === undefined ? 'not connected' : `to ${nameOf(m.get(id) ?? t.get(id))}`),
    );
    if (target === undefined || !present.has(edge.source) || !present.has(target)) continue;
    const chosen = targetOf(me.get(key)) === target ? me.get(key)! : te.get(key)!;
    edges.push(chosen);
  }
  // Two new edges may share an id (each side named its edge after the outcome): keep ids unique.
  const seen = new Set<string>();
  for (let i = 0; i < edges.length; i++) {
    let id = edges[i]!.id;
    while (seen.has(id)) id = `${id}~merged`;
    seen.add(id);
    if (id !== edges[i]!.id) edges[i] = { ...edges[i]!, id };
  }

  return {
    merged: { ...(meta as Omit<FlowDocument, 'nodes' | 'edges'>), nodes, edges } as FlowDocument,
    conflicts,
  };
}
