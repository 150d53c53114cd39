import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import {
  getNodeType,
  nextVersion,
  validateFlow,
  type FlowDocument,
  type NodeTypeDescription,
} from '@switchboard/flow';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { EditorStoreProvider } from '../../src/editor/context.js';
import { diffFlows } from '../../src/editor/diff.js';
import { describeUpgrade, upgradedConfig } from '../../src/editor/nodeUpgrade.js';
import { PropertyPanel } from '../../src/editor/PropertyPanel.js';
import { createEditorStore, type EditorStore } from '../../src/editor/store.js';

const AGENT = '8:acs:11111111-1111-1111-1111-111111111111_00000020-0000-0000-0000-000000000002';

/** A flow saved before node type versions: its Add participant node records none (version 1). */
const published: FlowDocument = {
  schemaVersion: 1,
  name: 'Hand over',
  nodes: [
    { id: 'start', type: 'trigger.incomingCall', position: { x: 0, y: 0 }, config: {} },
    { id: 'answer', type: 'call.answer', position: { x: 280, y: 0 }, config: {} },
    {
      id: 'agent',
      type: 'call.addParticipant',
      label: 'Agent',
      position: { x: 560, y: 0 },
      config: { target: AGENT },
    },
    { id: 'sorry', type: 'media.play', position: { x: 840, y: 0 }, config: { text: 'Sorry' } },
  ],
  edges: [
    { id: 'e1', source: 'start', sourceOutcome: 'next', target: 'answer' },
    { id: 'e2', source: 'answer', sourceOutcome: 'connected', target: 'agent' },
    { id: 'e3', source: 'agent', sourceOutcome: 'failed', target: 'sorry' },
  ],
};

function renderPanel(store: EditorStore) {
  return render(
    <FluentProvider theme={webLightTheme}>
      <EditorStoreProvider store={store}>
        <PropertyPanel />
      </EditorStoreProvider>
    </FluentProvider>,
  );
}

const agentOf = (store: EditorStore) => store.getState().nodes.find((n) => n.id === 'agent')!;

describe('upgrading a node to a newer version of its type', () => {
  it('offers the upgrade with what changes, applies it through the store, and undoes it', () => {
    const store = createEditorStore(structuredClone(published));
    act(() => store.getState().selectNode('agent'));
    renderPanel(store);

    const notice = screen.getByRole('group', { name: /^Upgrade this node/ });
    expect(notice.textContent).toContain('Upgrade this node to version 2 (it is version 1)');
    const changes = within(notice)
      .getAllByRole('listitem')
      .map((li) => li.textContent);
    expect(changes).toEqual([
      '“Added” left unconnected: the app leaves the call, the caller and the added participant stay connected (before: the call ends for everyone)',
    ]);
    // The validator agrees with the notice about the node as it is.
    expect(
      validateFlow(store.getState().toDocument()).find((i) => i.message.startsWith('“Added”'))
        ?.message,
    ).toBe('“Added” of “Agent” is not connected. The caller is disconnected');

    fireEvent.click(within(notice).getByRole('button', { name: 'Upgrade' }));
    expect(agentOf(store).data.typeVersion).toBe(2);
    expect(agentOf(store).data.config).toEqual({ target: AGENT });
    expect(store.getState().edges.map((e) => e.id)).toEqual(['e1', 'e2', 'e3']);
    expect(screen.queryByRole('group', { name: /^Upgrade this node/ })).toBeNull();
    const upgraded = store.getState().toDocument();
    expect(upgraded.nodes[2]).toMatchObject({ id: 'agent', typeVersion: 2 });
    expect(validateFlow(upgraded).find((i) => i.message.startsWith('“Added”'))?.message).toBe(
      '“Added” of “Agent” is not connected. The caller and the added participant stay connected; the flow stops',
    );

    // Publishing the upgrade shows it, though no setting changed.
    expect(diffFlows(published, upgraded).changes).toEqual([
      {
        nodeId: 'agent',
        name: 'Agent',
        state: 'changed',
        settings: [{ field: 'Node type version', before: '1', after: '2' }],
      },
    ]);

    act(() => store.getState().undo());
    expect(agentOf(store).data.typeVersion).toBeUndefined();
    expect(store.getState().toDocument()).toEqual(published);
    expect(screen.getByRole('group', { name: /^Upgrade this node/ })).toBeTruthy();
    act(() => store.getState().redo());
    expect(agentOf(store).data.typeVersion).toBe(2);
  });

  it('offers no upgrade button on a read-only flow, and no notice on a node of the latest version', () => {
    const store = createEditorStore(structuredClone(published), { readOnly: true });
    act(() => store.getState().selectNode('agent'));
    const view = renderPanel(store);
    const notice = screen.getByRole('group', { name: /^Upgrade this node/ });
    expect(within(notice).queryByRole('button')).toBeNull();
    store.getState().upgradeNode('agent');
    expect(agentOf(store).data.typeVersion).toBeUndefined();
    view.unmount();

    const fresh = createEditorStore(structuredClone(published));
    act(() => fresh.getState().selectNode('sorry'));
    renderPanel(fresh);
    expect(screen.queryByRole('group', { name: /^Upgrade this node/ })).toBeNull();
  });

  it('gives nodes from the palette the latest version; copies keep the version they had', () => {
    const store = createEditorStore(structuredClone(published));
    const s = () => store.getState();
    const added = s().addNode('call.addParticipant', { x: 0, y: 300 })!;
    const play = s().addNode('media.play', { x: 300, y: 300 })!;
    const doc = s().toDocument();
    expect(doc.nodes.find((n) => n.id === added)?.typeVersion).toBe(
      getNodeType('call.addParticipant')!.version,
    );
    expect(doc.nodes.find((n) => n.id === play)?.typeVersion).toBe(1);
    // The nodes loaded keep recording nothing: saving does not upgrade them behind the analyst's back.
    expect(doc.nodes.find((n) => n.id === 'agent')).not.toHaveProperty('typeVersion');

    s().selectNode('agent');
    s().paste(s().copySelection()!);
    s().selectNode(added);
    s().paste(s().copySelection()!);
    const pasted = s().toDocument().nodes.slice(-2);
    expect(pasted.map((n) => [n.type, n.typeVersion])).toEqual([
      ['call.addParticipant', undefined],
      ['call.addParticipant', 2],
    ]);
  });

  it('works out the changes from any two descriptions: outcomes, settings and defaults', () => {
    const play = getNodeType('media.play', 1) as NodeTypeDescription;
    const shape = play.configSchema.shape as Record<string, z.ZodType>;
    const { audioUrl: _dropped, ...kept } = shape;
    const next = nextVersion(play, {
      version: 2,
      configSchema: z.strictObject({
        ...kept,
        voice: z.string().default('en-US-GuyNeural').meta({ title: 'Voice', description: 'v' }),
        bargeIn: z.boolean().default(true).meta({ title: 'Barge in', description: 'b' }),
      }),
      outcomes: [
        { id: 'completed', label: 'Done' },
        { id: 'failed', label: 'Failed', failure: true },
        { id: 'interrupted', label: 'Interrupted' },
      ],
    });
    const config = { text: 'Hi', audioUrl: '', voice: 'en-GB-SoniaNeural' };
    expect(describeUpgrade(play, next, config)).toEqual([
      'New outcome “Interrupted”',
      'Outcome “Completed” is renamed “Done”',
      'New setting “Barge in” (on)',
      'Setting “Audio file” is removed',
      'Default of “Voice”: “en-US-JennyNeural” → “en-US-GuyNeural” (this node sets its own and keeps it)',
    ]);
    expect(upgradedConfig(play, next, config)).toEqual({
      text: 'Hi',
      voice: 'en-GB-SoniaNeural',
      bargeIn: true,
    });
    expect(describeUpgrade(play, next, { text: 'Hi' }).at(-1)).toBe(
      'Default of “Voice”: “en-US-JennyNeural” → “en-US-GuyNeural” (this node takes the new default)',
    );
  });
});
