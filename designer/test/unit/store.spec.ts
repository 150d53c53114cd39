import { validateFlow, type FlowDocument } from '@switchboard/flow';
import { describe, expect, it } from 'vitest';
import { readClipboard, writeClipboard } from '../../src/editor/clipboard.js';
import { createEditorStore, emptyDocument } from '../../src/editor/store.js';

function buildIvr() {
  const store = createEditorStore(emptyDocument('IVR'));
  const s = () => store.getState();
  const trigger = s().addNode('trigger.incomingCall', { x: 0, y: 0 })!;
  const answer = s().addNode('call.answer', { x: 300, y: 0 })!;
  const menu = s().addNode('media.menu', { x: 600, y: 0 })!;
  const transfer = s().addNode('call.transfer', { x: 900, y: 0 })!;
  const hangUp = s().addNode('call.hangUp', { x: 900, y: 300 })!;
  return { store, s, trigger, answer, menu, transfer, hangUp };
}

const connection = (source: string, sourceHandle: string, target: string) => ({
  source,
  sourceHandle,
  target,
  targetHandle: 'in',
});

describe('editor store', () => {
  it('adds nodes with the default config from the catalogue and selects the new node', () => {
    const { s, menu, hangUp } = buildIvr();
    const node = s().nodes.find((n) => n.id === menu)!;
    expect(node.data.type).toBe('media.menu');
    expect(node.data.config['choices']).toEqual([
      { digit: '1', label: 'Sales' },
      { digit: '2', label: 'Support' },
    ]);
    expect(
      s()
        .nodes.filter((n) => n.selected)
        .map((n) => n.id),
    ).toEqual([hangUp]);
    // Node data holds only serialisable values.
    expect(JSON.parse(JSON.stringify(s().nodes.map((n) => n.data)))).toEqual(
      s().nodes.map((n) => n.data),
    );
  });

  it('connects outcomes, one edge per outcome, and refuses edges into a trigger or from a terminal node', () => {
    const { s, trigger, answer, menu, hangUp } = buildIvr();
    s().connect(connection(trigger, 'next', answer));
    s().connect(connection(answer, 'connected', menu));
    expect(s().edges).toHaveLength(2);
    // Connecting the same outcome again moves its edge.
    s().connect(connection(answer, 'connected', hangUp));
    expect(s().edges.filter((e) => e.source === answer)).toMatchObject([
      { sourceHandle: 'connected', target: hangUp },
    ]);
    expect(s().isValidConnection(connection(menu, 'choice:1', trigger))).toBe(false);
    expect(s().isValidConnection(connection(hangUp, 'next', menu))).toBe(false);
    expect(s().isValidConnection(connection(menu, 'no-such-outcome', hangUp))).toBe(false);
    expect(s().isValidConnection(connection(menu, 'choice:1', hangUp))).toBe(true);
    s().connect(connection(menu, 'choice:9', hangUp));
    expect(s().edges).toHaveLength(2);
  });

  it('undoes and redoes every change', () => {
    const { s, trigger, answer } = buildIvr();
    expect(s().nodes).toHaveLength(5);
    s().connect(connection(trigger, 'next', answer));
    s().updateLabel(answer, 'Pick up');
    s().undo();
    expect(s().nodes.find((n) => n.id === answer)!.data.label).toBeUndefined();
    expect(s().edges).toHaveLength(1);
    s().undo();
    expect(s().edges).toHaveLength(0);
    s().redo();
    s().redo();
    expect(s().edges).toHaveLength(1);
    expect(s().nodes.find((n) => n.id === answer)!.data.label).toBe('Pick up');
    for (let i = 0; i < 7; i++) s().undo();
    expect(s().nodes).toHaveLength(0);
    expect(s().past).toHaveLength(0);
    for (let i = 0; i < 7; i++) s().redo();
    expect(s().nodes).toHaveLength(5);
    expect(s().future).toHaveLength(0);
  });

  it('makes one undo step of a drag and of a burst of typing in one field', () => {
    const { s, answer } = buildIvr();
    const steps = s().past.length;
    s().onNodesChange([
      { type: 'position', id: answer, position: { x: 10, y: 10 }, dragging: true },
    ]);
    s().onNodesChange([
      { type: 'position', id: answer, position: { x: 20, y: 20 }, dragging: true },
    ]);
    s().onNodesChange([
      { type: 'position', id: answer, position: { x: 30, y: 30 }, dragging: false },
    ]);
    expect(s().past.length).toBe(steps + 1);
    expect(s().nodes.find((n) => n.id === answer)!.position).toEqual({ x: 30, y: 30 });
    s().updateLabel(answer, 'P');
    s().updateLabel(answer, 'Pi');
    s().updateLabel(answer, 'Pic');
    expect(s().past.length).toBe(steps + 2);
    s().undo();
    expect(s().nodes.find((n) => n.id === answer)!.data.label).toBeUndefined();
    s().undo();
    expect(s().nodes.find((n) => n.id === answer)!.position).toEqual({ x: 300, y: 0 });
  });

  it('selection changes are not undo steps and do not count as document changes', () => {
    const { s, answer } = buildIvr();
    const { version, past } = s();
    s().onNodesChange([{ type: 'select', id: answer, selected: true }]);
    s().selectNode(answer);
    expect(s().version).toBe(version);
    expect(s().past).toBe(past);
  });

  it('deletes the selection with the edges of deleted nodes, in one undo step', () => {
    const { s, trigger, answer, menu } = buildIvr();
    s().connect(connection(trigger, 'next', answer));
    s().connect(connection(answer, 'connected', menu));
    s().selectNode(answer);
    s().deleteSelection();
    expect(s().nodes.map((n) => n.id)).not.toContain(answer);
    expect(s().edges).toHaveLength(0);
    s().undo();
    expect(s().nodes.map((n) => n.id)).toContain(answer);
    expect(s().edges).toHaveLength(2);
  });

  it('removing a menu choice removes its edge; changing a key keeps the edge on that choice', () => {
    const { s, menu, transfer, hangUp } = buildIvr();
    s().connect(connection(menu, 'choice:1', transfer));
    s().connect(connection(menu, 'choice:2', hangUp));
    s().connect(connection(menu, 'noInput', hangUp));
    const config = s().nodes.find((n) => n.id === menu)!.data.config;
    // Change the key of choice 1 from 1 to 3: same number of outcomes, the edge follows.
    s().updateConfig(menu, {
      ...config,
      choices: [
        { digit: '3', label: 'Sales' },
        { digit: '2', label: 'Support' },
      ],
    });
    expect(
      s()
        .edges.filter((e) => e.source === menu)
        .map((e) => e.sourceHandle)
        .sort(),
    ).toEqual(['choice:2', 'choice:3', 'noInput']);
    // Remove choice 2: its edge goes; the others stay.
    s().updateConfig(menu, { ...config, choices: [{ digit: '3', label: 'Sales' }] });
    expect(
      s()
        .edges.filter((e) => e.source === menu)
        .map((e) => e.sourceHandle)
        .sort(),
    ).toEqual(['choice:3', 'noInput']);
    // Add a choice: it has no edge yet.
    s().updateConfig(menu, {
      ...config,
      choices: [
        { digit: '3', label: 'Sales' },
        { digit: '0', label: 'Operator' },
      ],
    });
    expect(s().edges.filter((e) => e.source === menu)).toHaveLength(2);
    // Undo brings the removed edge back.
    s().undo();
    s().undo();
    expect(
      s()
        .edges.filter((e) => e.source === menu)
        .map((e) => e.sourceHandle)
        .sort(),
    ).toEqual(['choice:2', 'choice:3', 'noInput']);
  });

  it('copies and pastes nodes with their inner edges under new ids, also into another flow', () => {
    const { s, answer, menu, transfer } = buildIvr();
    s().connect(connection(answer, 'connected', menu));
    s().connect(connection(menu, 'choice:1', transfer));
    s().selectNode(menu);
    s().onNodesChange([{ type: 'select', id: transfer, selected: true }]);
    const payload = s().copySelection()!;
    expect(payload.nodes).toHaveLength(2);
    expect(payload.edges).toHaveLength(1); // answer → menu is not inside the selection
    writeClipboard(payload);

    s().paste(readClipboard()!);
    expect(s().nodes).toHaveLength(7);
    const pasted = s().nodes.filter((n) => n.selected);
    expect(pasted).toHaveLength(2);
    expect(pasted.map((n) => n.id)).not.toContain(menu);
    const pastedMenu = pasted.find((n) => n.data.type === 'media.menu')!;
    expect(pastedMenu.position).toEqual({ x: 640, y: 40 });
    expect(s().edges.filter((e) => e.source === pastedMenu.id)).toHaveLength(1);
    s().paste(readClipboard()!);
    expect(s().nodes.filter((n) => n.selected)[0]!.position.x).toBeGreaterThanOrEqual(680);

    // Another flow (another store) in the same browser reads the same clipboard.
    const other = createEditorStore(emptyDocument('Other'));
    other.getState().paste(readClipboard()!);
    expect(other.getState().nodes).toHaveLength(2);
    expect(other.getState().edges).toHaveLength(1);
  });

  it('round-trips a document and validates the built flow', () => {
    const { store, s, trigger, answer, menu, transfer, hangUp } = buildIvr();
    s().connect(connection(trigger, 'next', answer));
    s().connect(connection(answer, 'connected', menu));
    s().connect(connection(menu, 'choice:1', transfer));
    s().connect(connection(menu, 'choice:2', hangUp));
    const transferNode = s().nodes.find((n) => n.id === transfer)!;
    s().updateConfig(transfer, { ...transferNode.data.config, target: '+1 425 555' });
    const doc: FlowDocument = store.getState().toDocument();
    const badPhone = validateFlow(doc).filter(
      (i) => i.nodeId === transfer && i.severity === 'error',
    );
    expect(badPhone.length).toBeGreaterThan(0);
    s().updateConfig(transfer, { ...transferNode.data.config, target: '+14255550100' });
    const fixed = validateFlow(s().toDocument()).filter(
      (i) => i.nodeId === transfer && i.severity === 'error',
    );
    expect(fixed).toEqual([]);

    const copy = createEditorStore(s().toDocument());
    expect(copy.getState().toDocument()).toEqual(s().toDocument());
  });

  it('read-only stores refuse changes', () => {
    const { s } = buildIvr();
    const ro = createEditorStore(s().toDocument(), { readOnly: true });
    expect(ro.getState().addNode('call.answer', { x: 0, y: 0 })).toBeUndefined();
    ro.getState().deleteElements(ro.getState().nodes.map((n) => n.id));
    expect(ro.getState().nodes).toHaveLength(5);
  });
});
