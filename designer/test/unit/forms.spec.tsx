import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { defaultConfig, getNodeType } from '@switchboard/flow';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { useState } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
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

function renderForm(
  type: string,
  overrides: Record<string, unknown> = {},
  env: FormEnvironment = environment,
) {
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
        environment={env}
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
  // National numbers are read in the analyst's last country, else jsdom's en-US.
  beforeEach(() => localStorage.removeItem('switchboard.phoneCountry'));

  it('labels every field with its title and help text from the config schema', () => {
    renderForm('media.menu');
    expect(screen.getByRole('textbox', { name: 'Prompt' })).toBeTruthy();
    expect(screen.getByText(/What the caller hears/)).toBeTruthy();
    expect(screen.getByRole('spinbutton', { name: 'Retries' })).toBeTruthy();
    expect(screen.getByRole('group', { name: 'Choices' })).toBeTruthy();
  });

  it('reads phone numbers in the default country and keeps app user ids as typed', () => {
    const { last } = renderForm('call.transfer');
    const target = screen.getByRole('textbox', { name: 'Transfer to' });
    fireEvent.change(target, { target: { value: '+1 425' } });
    // Not a number yet: kept as typed (the validator marks it), and the problem in plain words.
    expect(last()['target']).toBe('+1 425');
    expect(screen.getByText(/This isn't a complete United States number/)).toBeTruthy();
    fireEvent.change(target, { target: { value: '(425) 555-0100' } });
    expect(last()['target']).toBe('+14255550100');
    expect(screen.queryByText(/isn't a complete/)).toBeNull();
    expect(screen.getByText('Saved as +1 425-555-0100 (+14255550100)')).toBeTruthy();
    // The box keeps what the analyst typed; the hint says what is saved.
    expect((target as HTMLInputElement).value).toBe('(425) 555-0100');
    expect(target.getAttribute('aria-describedby')).toContain(
      screen.getByText(/^Saved as/).closest('[id]')!.id,
    );
    fireEvent.change(target, { target: { value: '8:acs:resource_user-1' } });
    expect(screen.getByText('Saved as a Communication Services app user')).toBeTruthy();
    expect(last()['target']).toBe('8:acs:resource_user-1');
  });

  it('shows the caller-ID requirement before anything is typed, required while it applies', () => {
    const { last } = renderForm('call.addParticipant');
    const callerId = screen.getByRole('textbox', { name: /^Caller ID/ });
    // Needed while the target is empty or a phone number, and said so from the start.
    expect(screen.getAllByText(/Needed when adding a phone number/).length).toBeGreaterThan(0);
    expect(callerId.getAttribute('aria-required') ?? callerId.getAttribute('required')).not.toBe(
      null,
    );
    fireEvent.change(screen.getByRole('textbox', { name: 'Add' }), {
      target: { value: '8:acs:resource_user-1' },
    });
    const after = screen.getByRole('textbox', { name: /^Caller ID/ });
    expect(after.getAttribute('aria-required')).toBeNull();
    expect(after.hasAttribute('required')).toBe(false);
    expect(last()['target']).toBe('8:acs:resource_user-1');
  });

  it('shows a stored number formatted and offers the workspace numbers as caller IDs', async () => {
    const { last } = renderForm(
      'call.addParticipant',
      { target: '+442079460958' },
      {
        ...environment,
        ownNumbers: () => Promise.resolve([{ value: '+18005550100', label: 'Main IVR' }]),
      },
    );
    expect((screen.getByRole('textbox', { name: 'Add' }) as HTMLInputElement).value).toBe(
      '+44 20 7946 0958',
    );
    const offer = await screen.findByRole('button', { name: '+1 800-555-0100 · Main IVR' });
    fireEvent.click(offer);
    expect(last()['callerId']).toBe('+18005550100');
    expect((screen.getByRole('textbox', { name: /^Caller ID/ }) as HTMLInputElement).value).toBe(
      '+1 800-555-0100',
    );
  });

  it('edits a list of call targets item by item with the phone box', () => {
    const { last } = renderForm('trigger.outboundCall');
    fireEvent.click(screen.getByRole('button', { name: 'Add call' }));
    fireEvent.change(screen.getByRole('textbox', { name: 'Call 1' }), {
      target: { value: '425.555.0100' },
    });
    expect(last()['targets']).toEqual(['+14255550100']);
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
