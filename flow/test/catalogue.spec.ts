import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  allNodeTypeVersions,
  categories,
  defaultConfig,
  fieldMeta,
  getNodeType,
  latestVersion,
  listNodeTypes,
  nodeTypeOf,
  nodeTypes,
  nodeTypeVersions,
  outcomesOf,
  type CallEvent,
  type NodeConfig,
  type NodeContext,
  type NodeTypeDescription,
  type Widget,
} from '../src/index.js';

const REQUIRED = [
  'trigger.incomingCall',
  'trigger.outboundCall',
  'call.answer',
  'call.reject',
  'call.redirect',
  'call.transfer',
  'call.addParticipant',
  'call.cancelAddParticipant',
  'call.removeParticipant',
  'call.muteParticipant',
  'call.hold',
  'call.unhold',
  'call.hangUp',
  'media.play',
  'media.menu',
  'media.collectDigits',
  'logic.branch',
  'logic.setVariables',
  'logic.businessHours',
];

const WIDGETS: Widget[] = [
  'text',
  'template',
  'target',
  'phoneNumber',
  'choices',
  'weeklyHours',
  'holidays',
  'rules',
  'assignments',
  'nodeRef',
  'flowRef',
  'variableName',
  'timeZone',
  'time',
  'date',
  'voice',
];

const all = listNodeTypes();
/** Every (type, version): a superseded version must stay as sound as the latest. */
const described = allNodeTypeVersions().map((d) => [`${d.type}@${d.version}`, d] as const);

function ctx(
  d: NodeTypeDescription,
  config: NodeConfig,
  now: number,
  vars: Record<string, string> = {},
): NodeContext {
  return {
    nodeId: 'n',
    runId: 'run-1',
    config,
    call: {
      direction: 'incoming',
      from: '+15551234567',
      to: '+18005550100',
      callerDisplayName: '',
      correlationId: '',
      serverCallId: '',
      callConnectionId: 'cc',
      connected: true,
    },
    vars,
    results: {},
    now,
    // Logic rules in these witnesses use plain text, so rendering is the identity.
    render: (t) => t,
  };
}

/** Configs and inputs that make each logic node take each of its outcomes. */
const runWitnesses: Record<string, { config?: NodeConfig; now?: number }[]> = {
  'trigger.incomingCall': [{}],
  'trigger.subflow': [{}],
  // Weights 1:0 and 0:1 leave one branch each, whatever the run id hashes to.
  'logic.split': [
    {
      config: {
        branches: [
          { label: 'A', weight: 1 },
          { label: 'B', weight: 0 },
        ],
      },
    },
    {
      config: {
        branches: [
          { label: 'A', weight: 0 },
          { label: 'B', weight: 1 },
        ],
      },
    },
  ],
  'logic.setVariables': [{}],
  'logic.branch': [
    { config: { rules: [{ left: 'a', operator: 'equals', right: 'a' }] } },
    { config: { rules: [{ left: 'a', operator: 'equals', right: 'b' }] } },
  ],
  'logic.businessHours': [
    { now: Date.parse('2026-03-03T15:00:00Z') }, // Tue 10:00 New York
    { now: Date.parse('2026-03-03T03:00:00Z') }, // Mon 22:00 New York
    { config: { holidays: ['2026-03-03'] }, now: Date.parse('2026-03-03T15:00:00Z') },
  ],
};

describe('the node catalogue', () => {
  it('has every node type the document format names, once, keyed by its id', () => {
    expect(Object.keys(nodeTypes).sort()).toEqual(expect.arrayContaining(REQUIRED));
    for (const [key, d] of Object.entries(nodeTypes)) expect(d.type).toBe(key);
    expect(all.map((d) => d.type).sort()).toEqual(Object.keys(nodeTypes).sort());
    expect(getNodeType('call.transfer')?.label).toBe('Transfer');
    expect(getNodeType('nope')).toBeUndefined();
  });

  it('holds every version of a type, 1..n once each; the palette and new nodes get the latest', () => {
    const seen = new Set<string>();
    for (const d of allNodeTypeVersions()) {
      const key = `${d.type}@${d.version}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
    }
    for (const d of all) {
      expect(nodeTypeVersions(d.type).map((v) => v.version)).toEqual(
        Array.from({ length: d.version }, (_, i) => i + 1),
      );
      expect(getNodeType(d.type)).toBe(d);
      expect(getNodeType(d.type, d.version)).toBe(d);
      expect(latestVersion(d.type)).toBe(d.version);
    }
    expect(allNodeTypeVersions().length).toBe(seen.size);
    expect(getNodeType('call.addParticipant', 3)).toBeUndefined();
    expect(getNodeType('call.addParticipant', 0)).toBeUndefined();
  });

  it('runs a document node with the version it records, version 1 when it records none', () => {
    const v1 = nodeTypeOf({ type: 'call.addParticipant' });
    const v2 = nodeTypeOf({ type: 'call.addParticipant', typeVersion: 2 });
    expect(v1?.version).toBe(1);
    expect(v2?.version).toBe(2);
    expect(outcomesOf(v1!, {}).find((o) => o.id === 'added')?.unconnected).toBeUndefined();
    expect(outcomesOf(v2!, {}).find((o) => o.id === 'added')?.unconnected).toEqual({
      does: 'leave',
      who: 'The caller and the added participant',
    });
    // Version 2 changes only what "Added" unconnected does.
    const { outcomes: _o1, version: _v1, ...rest1 } = v1!;
    const { outcomes: _o2, version: _v2, ...rest2 } = v2!;
    expect(rest2).toEqual(rest1);
  });

  it('lists types grouped by category in palette order', () => {
    const order = all.map((d) => categories.indexOf(d.category));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(listNodeTypes('Logic').map((d) => d.type)).toEqual([
      'logic.branch',
      'logic.split',
      'logic.setVariables',
      'logic.businessHours',
      'flow.runSubflow',
      'flow.return',
    ]);
  });

  it.each(described)('%s: describes itself for the palette', (_t, d) => {
    expect(d.label.length).toBeGreaterThan(0);
    expect(d.icon).toMatch(/^[A-Z][A-Za-z]+$/);
    expect(d.description.length).toBeGreaterThan(10);
    expect(d.description).not.toMatch(/\n/);
  });

  it.each(described)('%s: default config parses and is summarised', (_t, d) => {
    const config = d.configSchema.parse({});
    expect(defaultConfig(d.type, d.version)).toEqual(config);
    expect(d.summary(config as NodeConfig).length).toBeGreaterThan(0);
  });

  it.each(described)(
    '%s: every config field has a title, a description and a known widget',
    (_t, d) => {
      const visit = (schema: z.ZodType, where: string) => {
        let s: z.ZodType = schema;
        const meta = fieldMeta(s);
        expect(meta?.title, `${where} title`).toBeTruthy();
        expect(meta?.description, `${where} description`).toBeTruthy();
        if (meta?.widget) expect(WIDGETS).toContain(meta.widget);
        while (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
        if (s instanceof z.ZodArray && s.element instanceof z.ZodObject) {
          for (const [k, f] of Object.entries(s.element.shape))
            visit(f as z.ZodType, `${where}[].${k}`);
        }
      };
      for (const [k, f] of Object.entries(d.configSchema.shape)) visit(f as z.ZodType, k);
    },
  );

  it.each(described)('%s: field texts use plain words, not raw ids', (_t, d) => {
    const texts = [d.description];
    const visit = (schema: z.ZodType) => {
      let s: z.ZodType = schema;
      const meta = fieldMeta(s);
      if (meta) texts.push(meta.title, meta.description, meta.requirement ?? '');
      while (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
      if (s instanceof z.ZodArray && s.element instanceof z.ZodObject) {
        for (const f of Object.values(s.element.shape)) visit(f as z.ZodType);
      }
    };
    for (const f of Object.values(d.configSchema.shape)) visit(f as z.ZodType);
    for (const text of texts) expect(text).not.toMatch(/8:acs|\bACS\b/);
  });

  it('shows the caller-ID requirement on the fields whose config checks need one', () => {
    for (const type of ['call.addParticipant', 'trigger.outboundCall']) {
      const d = getNodeType(type)!;
      const meta = fieldMeta(d.configSchema.shape.callerId as z.ZodType);
      expect(meta?.requirement, type).toMatch(/^Needed when (adding|calling) a phone number$/);
      expect(meta?.ownNumber, type).toBe(true);
      // The requirement is what the check says: a phone number and no caller ID is refused.
      const config = { ...defaultConfig(type), target: '+14255550100', targets: ['+14255550100'] };
      const strict = d.configSchema.safeParse(
        Object.fromEntries(Object.entries(config).filter(([k]) => k in d.configSchema.shape)),
      );
      expect(strict.error?.issues.map((i) => i.path.join('.'))).toContain('callerId');
    }
  });

  it.each(described)('%s: every event rule names a declared outcome', (_t, d) => {
    const outcomes = new Set(
      outcomesOf(d, defaultConfig(d.type, d.version) as NodeConfig).map((o) => o.id),
    );
    for (const rule of d.events ?? []) {
      if (rule.outcome !== undefined) expect(outcomes, `${rule.on}`).toContain(rule.outcome);
      expect(rule.outcome !== undefined || rule.pick !== undefined).toBe(true);
    }
  });

  it.each(described)(
    '%s: every outcome can happen (an event rule, a failure, or the node’s own rule)',
    (_t, d) => {
      const config = defaultConfig(d.type, d.version) as NodeConfig;
      const reachable = new Set<string>();
      for (const rule of d.events ?? []) if (rule.outcome) reachable.add(rule.outcome);
      const menu = d.events?.find((r) => r.pick);
      if (menu?.pick) {
        // A pick rule (menu choices) yields one outcome per key the caller may press.
        for (const o of outcomesOf(d, config)) {
          const digit = o.id.startsWith('choice:') ? o.id.slice(7) : undefined;
          if (digit === undefined) continue;
          const event: CallEvent = { id: 'x', type: menu.on, tones: [digit] };
          if (!menu.when || menu.when(event, config)) reachable.add(menu.pick(event, config));
        }
      }
      // Timeout and ActionFailed take the failure outcome.
      for (const o of outcomesOf(d, config)) if (o.failure && d.action) reachable.add(o.id);
      for (const w of runWitnesses[d.type] ?? []) {
        const c = { ...config, ...w.config };
        const r = d.run?.(ctx(d, c, w.now ?? 0));
        if (r !== undefined) reachable.add(typeof r === 'string' ? r : r.outcome);
      }
      for (const o of outcomesOf(d, config)) expect(reachable, `outcome ${o.id}`).toContain(o.id);
    },
  );

  it.each(described)('%s: behaviour is declared consistently', (_t, d) => {
    const outcomes = outcomesOf(d, defaultConfig(d.type, d.version) as NodeConfig);
    expect(new Set(outcomes.map((o) => o.id)).size).toBe(outcomes.length);
    // A node either decides by itself (run), asks ACS or the engine (action), or returns to the
    // flow that called it (returns).
    expect([d.run, d.action, d.returns].filter(Boolean)).toHaveLength(1);
    if (d.returns) {
      expect(outcomes).toEqual([]);
      expect(d.returnOutcome).toBeDefined();
      expect(d.waits).toBe(false);
    } else if (d.calls) {
      // It waits on the engine (the version), never on the caller: no wait for the loop rule.
      expect(d.waits).toBe(false);
      expect(outcomes.some((o) => o.failure)).toBe(true);
    } else if (d.terminal) {
      expect(outcomes).toEqual([]);
      expect(d.endReason).toBeDefined();
      expect(d.waits).toBe(false);
    } else if (d.action) {
      // Only a node that can decide without ACS (cancel with nothing to cancel) may not wait.
      expect(d.waits).toBe(d.type !== 'call.cancelAddParticipant');
      expect(
        d.maxWaitSeconds?.(defaultConfig(d.type, d.version) as NodeConfig, []),
      ).toBeGreaterThan(0);
      expect(outcomes.some((o) => o.failure)).toBe(true);
      expect(d.events?.length).toBeGreaterThan(0);
    } else {
      expect(d.waits).toBe(false);
      expect(d.callControl).toBe('none');
    }
    if (d.trigger) expect(d.category).toBe('Triggers');
  });

  it('gives menus one outcome per choice (choice:<digit>) and branches one per rule (rule:<index>)', () => {
    const menu = getNodeType('media.menu') as NodeTypeDescription;
    const m = menu.configSchema.parse({
      choices: [
        { digit: '1', label: 'Sales' },
        { digit: '#', label: 'Back' },
      ],
    }) as NodeConfig;
    expect(outcomesOf(menu, m).map((o) => o.id)).toEqual([
      'choice:1',
      'choice:#',
      'noInput',
      'invalid',
      'failed',
    ]);
    const branch = getNodeType('logic.branch') as NodeTypeDescription;
    const b = branch.configSchema.parse({
      rules: [
        { left: '{{ vars.a }}', operator: 'isEmpty' },
        { left: '{{ vars.b }}', operator: 'equals', right: 'x' },
      ],
    }) as NodeConfig;
    expect(outcomesOf(branch, b).map((o) => o.id)).toEqual(['rule:0', 'rule:1', 'else']);
  });

  it('emits JSON Schema for every config (the designer and other tools read it)', () => {
    for (const d of allNodeTypeVersions()) {
      const schema = z.toJSONSchema(d.configSchema, { io: 'input', unrepresentable: 'any' });
      expect(schema.type).toBe('object');
    }
  });
});

describe('call.muteParticipant', () => {
  // ACS answers 400 to muting anyone but a Communication Services user: the form says so first.
  const schema = getNodeType('call.muteParticipant')!.configSchema;
  it('takes the caller (empty) or an ACS user, and refuses phone numbers and Teams users', () => {
    expect(schema.safeParse({ target: '' }).success).toBe(true);
    expect(schema.safeParse({ target: '8:acs:resource_user' }).success).toBe(true);
    for (const target of ['+15551234567', '8:orgid:00000000-0000-0000-0000-000000000001']) {
      const r = schema.safeParse({ target });
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]?.message).toMatch(
        /^Only Communication Services app users can be muted/,
      );
    }
  });
});
