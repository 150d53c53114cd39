import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { defaultConfig, getNodeType } from '@switchboard/flow';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { ConfigForm, type FormEnvironment } from '../../src/forms/ConfigForm.js';
import { EditorStoreProvider } from '../../src/editor/context.js';
import { PropertyPanel } from '../../src/editor/PropertyPanel.js';
import { createEditorStore, emptyDocument } from '../../src/editor/store.js';

const environment: FormEnvironment = {
  readOnly: false,
  variables: ['call.from', 'vars.account'],
  nodes: [],
  issues: new Map(),
};

function renderForm(type: string, overrides: Record<string, unknown> = {}) {
  const changes: Record<string, unknown>[] = [];
  function Harness() {
    const [config, setConfig] = useState({ ...defaultConfig(type)!, ...overrides });
    return (
      <ConfigForm
        schema={getNodeType(type)!.configSchema}
        value={config}
        onChange={(next) => {
          changes.push(next);
          setConfig(next);
        }}
        environment={environment}
      />
    );
  }
  render(
    <FluentProvider theme={webLightTheme}>
      <Harness />
    </FluentProvider>,
  );
  return { changes, last: () => changes.at(-1)! };
}

describe('property forms generated from the catalogue', () => {
  it('labels every field with its title and help text from the config schema', () => {
    renderForm('media.menu');
    expect(screen.getByRole('textbox', { name: 'Prompt' })).toBeTruthy();
    expect(screen.getByText(/What the caller hears/)).toBeTruthy();
    expect(screen.getByRole('spinbutton', { name: 'Retries' })).toBeTruthy();
    expect(screen.getByRole('group', { name: 'Choices' })).toBeTruthy();
  });

  it('checks phone numbers and ACS identities as you type', () => {
    const { last } = renderForm('call.transfer');
    const target = screen.getByRole('textbox', { name: 'Transfer to' });
    fireEvent.change(target, { target: { value: '+1 425' } });
    expect(last()['target']).toBe('+1 425');
    expect(
      screen.getByText(/Enter a phone number \(\+14255550100\) or an ACS user id/),
    ).toBeTruthy();
    fireEvent.change(target, { target: { value: '+14255550100' } });
    expect(screen.queryByText(/Enter a phone number \(\+14255550100\)/)).toBeNull();
    expect(screen.getByText(/Phone number \+1 425 555 0100/)).toBeTruthy();
    fireEvent.change(target, { target: { value: '8:acs:resource_user-1' } });
    expect(screen.getByText(/· ACS user ✓/)).toBeTruthy();
    expect(last()['target']).toBe('8:acs:resource_user-1');
  });

  it('edits menu choices: digit and label per choice, add and remove', () => {
    const { last } = renderForm('media.menu');
    const choice2 = screen.getByRole('group', { name: 'Choice 2' });
    fireEvent.change(within(choice2).getByRole('textbox', { name: 'Name' }), {
      target: { value: 'Billing' },
    });
    fireEvent.change(within(choice2).getByRole('combobox', { name: 'Key' }), {
      target: { value: '5' },
    });
    expect(last()['choices']).toEqual([
      { digit: '1', label: 'Sales' },
      { digit: '5', label: 'Billing' },
    ]);
    fireEvent.click(screen.getByRole('button', { name: 'Add choice' }));
    expect((last()['choices'] as unknown[]).length).toBe(3);
    fireEvent.click(screen.getByRole('button', { name: 'Remove choice 1' }));
    expect((last()['choices'] as { label: string }[]).map((c) => c.label)).toEqual(['Billing', '']);
    // The new choice has no name yet: its own field says so.
    expect(screen.getByText('Name this choice, e.g. Sales')).toBeTruthy();
  });

  it('edits numbers as numbers, with the range message from the schema', () => {
    const { last } = renderForm('media.menu');
    const retries = screen.getByRole('spinbutton', { name: 'Retries' });
    fireEvent.change(retries, { target: { value: '3' } });
    expect(last()['retries']).toBe(3);
    fireEvent.change(retries, { target: { value: '9' } });
    expect(screen.getByText('Use 0 to 5 retries')).toBeTruthy();
  });

  it('edits weekly hours and holidays for business hours', () => {
    const { last } = renderForm('logic.businessHours');
    const weekly = screen.getByRole('group', { name: 'Opening hours' });
    const saturday = within(weekly).getByRole('group', { name: 'Sat' });
    fireEvent.click(within(saturday).getByRole('button', { name: /^Add/ }));
    const range = within(saturday).getAllByRole('group')[0]!;
    // Time pickers: a half hour to choose, or any HH:MM typed.
    fireEvent.change(within(range).getByRole('combobox', { name: 'From' }), {
      target: { value: '10:00' },
    });
    fireEvent.change(within(range).getByRole('combobox', { name: 'To' }), {
      target: { value: '09:00' },
    });
    expect((last()['weekly'] as Record<string, unknown>)['sat']).toEqual([
      { from: '10:00', to: '09:00' },
    ]);
    expect(screen.getByText('The closing time must be after the opening time')).toBeTruthy();

    const holidays = screen.getByRole('group', { name: 'Holidays' });
    fireEvent.click(within(holidays).getByRole('button', { name: 'Add holiday' }));
    // A date picker (the browser's), writing YYYY-MM-DD.
    const date = holidays.querySelector<HTMLInputElement>(
      'input[type="date"][aria-label="Holiday 1"]',
    )!;
    fireEvent.change(date, { target: { value: '2026-12-25' } });
    expect(last()['holidays']).toEqual(['2026-12-25']);
  });

  it('edits branch rules with operator choices, and inserts variables into templates', () => {
    const { last } = renderForm('logic.branch');
    const rule = screen.getByRole('group', { name: 'Rule 1' });
    const operator = within(rule).getByRole('combobox', { name: 'Test' });
    expect(within(operator).getByRole('option', { name: 'starts with' })).toBeTruthy();
    fireEvent.change(operator, { target: { value: 'isEmpty' } });
    expect((last()['rules'] as { operator: string }[])[0]!.operator).toBe('isEmpty');
    fireEvent.click(screen.getByRole('button', { name: 'Add rule' }));
    expect((last()['rules'] as unknown[]).length).toBe(2);
  });

  it('keeps every field editable in turn (no stale config between fields)', () => {
    const { last } = renderForm('media.menu');
    fireEvent.change(screen.getByRole('textbox', { name: 'Prompt' }), {
      target: { value: 'Hello' },
    });
    fireEvent.change(screen.getByRole('spinbutton', { name: 'Retries' }), {
      target: { value: '1' },
    });
    expect(last()['prompt']).toBe('Hello');
    expect(last()['retries']).toBe(1);
  });
});

describe('property panel with the store', () => {
  it('removing a menu choice in the panel removes its edge', () => {
    const store = createEditorStore(emptyDocument('Panel'));
    const s = store.getState();
    const menu = s.addNode('media.menu', { x: 0, y: 0 })!;
    const hangUp = s.addNode('call.hangUp', { x: 300, y: 0 })!;
    store
      .getState()
      .connect({ source: menu, sourceHandle: 'choice:2', target: hangUp, targetHandle: 'in' });
    store
      .getState()
      .connect({ source: menu, sourceHandle: 'choice:1', target: hangUp, targetHandle: 'in' });
    store.getState().selectNode(menu);
    render(
      <FluentProvider theme={webLightTheme}>
        <EditorStoreProvider store={store}>
          <PropertyPanel />
        </EditorStoreProvider>
      </FluentProvider>,
    );
    expect(screen.getByRole('heading', { name: 'Menu' })).toBeTruthy();
    act(() => {
      fireEvent.click(screen.getByRole('button', { name: 'Remove choice 2' }));
    });
    expect(store.getState().edges.map((e) => e.sourceHandle)).toEqual(['choice:1']);
    fireEvent.change(screen.getByRole('textbox', { name: 'Label' }), {
      target: { value: 'Main menu' },
    });
    expect(store.getState().nodes.find((n) => n.id === menu)!.data.label).toBe('Main menu');
    act(() => store.getState().undo());
    act(() => store.getState().undo());
    expect(store.getState().edges).toHaveLength(2);
  });

  it('is read-only for read-only flows', () => {
    const store = createEditorStore(emptyDocument('RO'));
    const id = store.getState().addNode('call.transfer', { x: 0, y: 0 })!;
    const ro = createEditorStore(store.getState().toDocument(), { readOnly: true });
    ro.getState().selectNode(id);
    render(
      <FluentProvider theme={webLightTheme}>
        <EditorStoreProvider store={ro}>
          <PropertyPanel />
        </EditorStoreProvider>
      </FluentProvider>,
    );
    const target = screen.getByRole('textbox', { name: 'Transfer to' }) as HTMLInputElement;
    expect(target.readOnly).toBe(true);
    expect(screen.queryByRole('button', { name: /^Add/ })).toBeNull();
  });
});
