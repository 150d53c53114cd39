import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  TARGET_MESSAGE,
  validateFlow,
  type FlowDocument,
  type ValidationIssue,
} from '../src/index.js';
import { generateFlow } from '../bench/generate-flow.js';
import { answeredThen, flowOf, marker } from './support/flows.js';

const errors = (doc: unknown) => validateFlow(doc).filter((i) => i.severity === 'error');
const warnings = (doc: unknown) => validateFlow(doc).filter((i) => i.severity === 'warning');
const messages = (issues: ValidationIssue[]) => issues.map((i) => i.message);

/** A clean flow: answered, a message, hang up. */
const good = answeredThen(
  ['media.play', { text: 'Hello' }],
  { completed: 'h', failed: 'h' },
  { h: ['call.hangUp'] },
  [['a', 'failed', 'h']],
);

const example = (name: string): FlowDocument =>
  JSON.parse(
    readFileSync(new URL(`../examples/${name}.json`, import.meta.url), 'utf8'),
  ) as FlowDocument;

describe('validateFlow', () => {
  it('accepts a clean flow with no issues at all', () => {
    expect(validateFlow(good)).toEqual([]);
  });

  describe('document shape', () => {
    it('reports a document that is not a flow', () => {
      expect(messages(errors(42))).toEqual(['This is not a flow document']);
      expect(errors({ ...good, name: '' })[0]).toMatchObject({
        path: ['name'],
        message: 'Give the flow a name',
      });
    });
    it('rejects unknown properties (strict objects)', () => {
      const doc = { ...good, nodes: [{ ...good.nodes[0], colour: 'red' }, ...good.nodes.slice(1)] };
      expect(errors(doc)).toEqual([expect.objectContaining({ path: ['nodes', 0], nodeId: 't' })]);
      expect(errors({ ...good, extra: 1 })).toHaveLength(1);
    });
    it('reports a schema version it does not know', () => {
      expect(messages(errors({ ...good, schemaVersion: 2 }))[0]).toMatch(/schemaVersion must be 1/);
    });
  });

  describe('config fields', () => {
    it('names a bad phone number as such, on the field', () => {
      const doc = answeredThen(['call.transfer', { target: '0612345678' }], {}, {});
      expect(errors(doc)).toContainEqual({
        severity: 'error',
        nodeId: 'n',
        path: ['nodes', 2, 'config', 'target'],
        message: `Transfer to: ${TARGET_MESSAGE}`,
      });
    });
    it('names a bad caller ID as a phone number', () => {
      const doc = answeredThen([
        'call.addParticipant',
        { target: '8:acs:abc_def', callerId: '12' },
      ]);
      expect(messages(errors(doc))).toContain(
        'Caller ID: Enter a phone number in international format, e.g. +14255550100',
      );
    });
    it('requires a caller ID to add a phone number', () => {
      const doc = answeredThen(['call.addParticipant', { target: '+14255550100' }]);
      expect(errors(doc)[0]).toMatchObject({ path: ['nodes', 2, 'config', 'callerId'] });
    });
    it('checks fields left out as if left empty, and reports unknown settings', () => {
      expect(messages(errors(answeredThen(['call.removeParticipant', {}])))).toContain(
        `Remove: ${TARGET_MESSAGE}`,
      );
      expect(messages(errors(answeredThen(['media.play', { txt: 'typo' }])))).toContain(
        'Unknown setting “txt”',
      );
      expect(messages(errors(answeredThen(['media.menu', { retries: 'two' }])))).toContain(
        'Retries: should be a number',
      );
    });
    it('accepts good targets of every kind', () => {
      for (const target of ['+14255550100', '8:acs:1111_2222', '8:orgid:aaaa-bbbb']) {
        const doc = answeredThen(
          ['call.transfer', { target }],
          { failed: 'h' },
          { h: ['call.hangUp'] },
        );
        expect(errors(doc)).toEqual([]);
      }
    });
  });

  describe('triggers', () => {
    it('needs a trigger', () => {
      const doc = flowOf({ p: marker('hi') });
      expect(messages(errors(doc))).toContain(
        'Add a trigger (“Incoming call”, “Outbound call” or “Subflow start”) to say how the flow starts',
      );
    });
    it('allows only one trigger', () => {
      const doc = flowOf(
        { t: ['trigger.incomingCall'], u: ['trigger.outboundCall'], r: ['call.reject'] },
        [['t', 'next', 'r']],
      );
      expect(errors(doc)).toContainEqual(
        expect.objectContaining({
          nodeId: 'u',
          message: expect.stringMatching(/exactly one trigger/),
        }),
      );
    });
    it('accepts exactly one trigger', () => {
      const doc = flowOf({ t: ['trigger.incomingCall'], r: ['call.reject'] }, [['t', 'next', 'r']]);
      expect(validateFlow(doc)).toEqual([]);
    });
  });

  it('reports unknown node types', () => {
    const doc = flowOf({ t: ['trigger.incomingCall'], x: ['media.sing'] }, [['t', 'next', 'x']]);
    expect(errors(doc)).toEqual([
      expect.objectContaining({
        nodeId: 'x',
        path: ['nodes', 1, 'type'],
        message: expect.stringMatching(/not a known kind of node/),
      }),
    ]);
  });

  describe('node type versions', () => {
    it('reports a version of a known type that the catalogue does not have, naming the node', () => {
      const doc = answeredThen(['media.play', { text: 'Hi' }, 7]);
      doc.nodes[2]!.label = 'Welcome';
      expect(errors(doc)).toEqual([
        expect.objectContaining({
          nodeId: 'n',
          path: ['nodes', 2, 'typeVersion'],
          message:
            '“Welcome” is a Play node of version 7, which this Switchboard does not have (it knows versions 1 to 1); choose one of those',
        }),
      ]);
    });

    it('refuses a version that is not a positive whole number', () => {
      const messages = [0, -1, 1.5].map(
        (typeVersion) =>
          errors(answeredThen(['media.play', { text: 'Hi' }, typeVersion])).map((i) => [
            i.nodeId,
            i.path.join('.'),
            i.message,
          ])[0],
      );
      expect(messages).toEqual([
        ['n', 'nodes.2.typeVersion', 'Node 3: A node type version is a whole number: 1, 2, …'],
        ['n', 'nodes.2.typeVersion', 'Node 3: A node type version is a whole number: 1, 2, …'],
        ['n', 'nodes.2.typeVersion', 'Node 3: typeVersion should be a whole number'],
      ]);
    });

    it('checks each node against its own version: an old and a new Add participant side by side', () => {
      const doc = answeredThen(
        ['call.addParticipant', { target: '8:acs:agent' }, 2],
        { added: 'old', failed: 'old' },
        { old: ['call.addParticipant', { target: '8:acs:other' }] },
      );
      const added = warnings(doc).filter((w) => w.message.startsWith('“Added”'));
      expect(added.map((w) => [w.nodeId, w.message])).toEqual([
        ['old', '“Added” of “Add participant” is not connected. The caller is disconnected'],
      ]);
      doc.nodes[3]!.typeVersion = 2;
      expect(
        warnings(doc)
          .filter((w) => w.message.startsWith('“Added”'))
          .map((w) => w.message),
      ).toEqual([
        '“Added” of “Add participant” is not connected. The caller and the added participant stay connected; the flow stops',
      ]);
    });
  });

  describe('edges', () => {
    const base = flowOf({ t: ['trigger.incomingCall'], r: ['call.reject'], s: ['call.reject'] }, [
      ['t', 'next', 'r'],
    ]);
    it('reports an outcome the node does not have', () => {
      const doc = {
        ...base,
        edges: [
          ...base.edges.slice(0, 0),
          { id: 'e', source: 't', sourceOutcome: 'done', target: 'r' },
        ],
      };
      expect(messages(errors(doc))).toContain('“Incoming call” has no outcome “done”');
    });
    it('reports edges to or from missing nodes', () => {
      const doc = {
        ...base,
        edges: [...base.edges, { id: 'e2', source: 'ghost', sourceOutcome: 'next', target: 'r' }],
      };
      expect(errors(doc)).toEqual([
        expect.objectContaining({ edgeId: 'e2', path: ['edges', 1, 'source'] }),
      ]);
      const doc2 = {
        ...base,
        edges: [{ id: 'e', source: 't', sourceOutcome: 'next', target: 'ghost' }],
      };
      expect(messages(errors(doc2))).toContain(
        '“Incoming call” is connected to a node that does not exist (“ghost”)',
      );
    });
    it('allows one edge per outcome', () => {
      const doc = {
        ...base,
        edges: [...base.edges, { id: 'e2', source: 't', sourceOutcome: 'next', target: 's' }],
      };
      expect(errors(doc)).toEqual([
        expect.objectContaining({
          edgeId: 'e2',
          message: expect.stringMatching(/connected more than once/),
        }),
      ]);
    });
    it('allows no edge into the trigger', () => {
      const doc = answeredThen(marker('x'), { completed: 't' });
      expect(messages(errors(doc))).toContain(
        '“Incoming call” starts the flow; no connection can lead into it',
      );
    });
    it('accepts well-formed edges', () => {
      expect(errors(base)).toEqual([]);
    });
  });

  describe('duplicate ids', () => {
    it('reports two nodes with one id', () => {
      const doc = flowOf({ t: ['trigger.incomingCall'], r: ['call.reject'] }, [['t', 'next', 'r']]);
      doc.nodes.push({ ...(doc.nodes[1] as FlowDocument['nodes'][number]) });
      expect(errors(doc)).toEqual([
        expect.objectContaining({ path: ['nodes', 2, 'id'], nodeId: 'r' }),
      ]);
    });
    it('reports two edges with one id', () => {
      const doc = answeredThen(marker('x'), { completed: 'h' }, { h: ['call.hangUp'] });
      (doc.edges[2] as { id: string }).id = 'dup';
      (doc.edges[1] as { id: string }).id = 'dup';
      expect(errors(doc)).toEqual([
        expect.objectContaining({ edgeId: 'dup', path: ['edges', 2, 'id'] }),
      ]);
    });
  });

  it('warns about nodes the trigger can never reach', () => {
    const doc = flowOf({ t: ['trigger.incomingCall'], r: ['call.reject'], lost: ['call.reject'] }, [
      ['t', 'next', 'r'],
    ]);
    expect(warnings(doc)).toEqual([
      expect.objectContaining({
        nodeId: 'lost',
        message: '“Reject” can never be reached from the trigger',
      }),
    ]);
    expect(
      warnings(flowOf({ t: ['trigger.incomingCall'], r: ['call.reject'] }, [['t', 'next', 'r']])),
    ).toEqual([]);
  });

  it('warns about outcomes with no edge, saying what the caller gets', () => {
    const doc = answeredThen(marker('x'), { completed: 'h' }, { h: ['call.hangUp'] }, [
      ['a', 'failed', 'h'],
    ]);
    expect(warnings(doc)).toEqual([
      expect.objectContaining({
        nodeId: 'n',
        message: '“Failed” of “Play” is not connected. The caller is disconnected',
      }),
    ]);
    // A transfer's "accepted" needs no edge: the flow has left the call.
    const t = answeredThen(
      ['call.transfer', { target: '+14255550100' }],
      { failed: 'h' },
      { h: ['call.hangUp'] },
      [['a', 'failed', 'h']],
    );
    expect(warnings(t)).toEqual([]);
  });

  it('does not warn about a failed answer left open: no call is left to act on', () => {
    const open = answeredThen(marker('x'), { completed: 'h', failed: 'h' }, { h: ['call.hangUp'] });
    expect(warnings(open)).toEqual([]);
  });

  describe('call-control order', () => {
    it('requires answering before media and participant actions', () => {
      const doc = flowOf({ t: ['trigger.incomingCall'], p: marker('hi'), h: ['call.hangUp'] }, [
        ['t', 'next', 'p'],
        ['p', 'completed', 'h'],
      ]);
      expect(errors(doc).map((i) => i.nodeId)).toEqual(['p', 'h']);
      expect(messages(errors(doc))[0]).toMatch(/The call must be answered before “Play”/);
    });
    it('catches a path that skips the answer', () => {
      const doc = flowOf(
        {
          t: ['trigger.incomingCall'],
          b: ['logic.businessHours'],
          a: ['call.answer'],
          p: marker('hi'),
        },
        [
          ['t', 'next', 'b'],
          ['b', 'open', 'a'],
          ['a', 'connected', 'p'],
          ['b', 'closed', 'p'],
        ],
      );
      expect(errors(doc).map((i) => i.nodeId)).toEqual(['p']);
    });
    it('allows reject and redirect only before answering', () => {
      const doc = answeredThen(['call.redirect', { target: '+14255550100' }]);
      expect(messages(errors(doc))).toEqual([
        '“Redirect” only works on a call that is still ringing, but the call is already answered here',
      ]);
      const ok = flowOf(
        { t: ['trigger.incomingCall'], r: ['call.redirect', { target: '+14255550100' }] },
        [['t', 'next', 'r']],
      );
      expect(validateFlow(ok)).toEqual([]);
    });
    it('lets an outbound call act once connected', () => {
      expect(errors(example('appointment-reminder'))).toEqual([]);
    });
  });

  describe('terminal nodes', () => {
    it('reports anything after a terminal node', () => {
      const doc = flowOf({ t: ['trigger.incomingCall'], r: ['call.reject'], r2: ['call.reject'] }, [
        ['t', 'next', 'r'],
        ['r', 'next', 'r2'],
      ]);
      expect(messages(errors(doc))).toContain(
        "Nothing can follow “Reject”: it ends the flow's part in the call",
      );
    });
    it('reports anything after a completed transfer', () => {
      const doc = answeredThen(
        ['call.transfer', { target: '+14255550100' }],
        { accepted: 'p' },
        { p: marker('x') },
      );
      expect(messages(errors(doc))[0]).toMatch(/Nothing can follow “Transferred” of “Transfer”/);
    });
  });

  describe('infinite loops', () => {
    it('reports a cycle of nodes that never wait', () => {
      const doc = answeredThen(['logic.setVariables'], { next: 'b' }, { b: ['logic.branch'] }, [
        ['b', 'rule:0', 'n'],
        ['b', 'else', 'n'],
      ]);
      expect(
        errors(doc)
          .map((i) => i.nodeId)
          .sort(),
      ).toEqual(['b', 'n']);
      expect(messages(errors(doc))[0]).toMatch(/^Endless loop/);
    });
    it('reports a node looping to itself', () => {
      const doc = answeredThen(['logic.setVariables'], { next: 'n' });
      expect(errors(doc).map((i) => i.nodeId)).toEqual(['n']);
    });
    it('counts a node that may finish at once (cancel with nothing to cancel) as not waiting', () => {
      const doc = answeredThen(
        ['call.cancelAddParticipant', { addParticipantNodeId: 'x' }],
        { failed: 'n', cancelled: 'x' },
        { x: ['call.addParticipant', { target: '8:acs:a_b', waitForAnswer: false }] },
      );
      expect(errors(doc).map((i) => i.nodeId)).toEqual(['n']);
    });
    it('accepts a loop through a node that waits for the caller', () => {
      const doc = answeredThen(
        ['media.menu', { choices: [{ digit: '1', label: 'Again' }] }],
        { 'choice:1': 's', noInput: 'h', invalid: 'h', failed: 'h' },
        { s: ['logic.setVariables'], h: ['call.hangUp'] },
        [
          ['s', 'next', 'n'],
          ['a', 'failed', 'h'],
        ],
      );
      expect(validateFlow(doc)).toEqual([]);
    });
  });

  describe('templates', () => {
    it('reports a template that does not parse, on its field', () => {
      const doc = answeredThen(['media.play', { text: 'Hello {{ call.from ' }]);
      expect(errors(doc)).toEqual([
        expect.objectContaining({
          path: ['nodes', 2, 'config', 'text'],
          message: expect.stringMatching(/^Message: the text has a template error/),
        }),
      ]);
    });
    it('reports unknown filters', () => {
      expect(
        errors(answeredThen(['media.play', { text: '{{ call.from | shout }}' }])),
      ).toHaveLength(1);
    });
    it('accepts Liquid that parses', () => {
      const doc = answeredThen([
        'media.play',
        { text: '{% if call.from %}Hi {{ call.from | upcase }}{% endif %}' },
      ]);
      expect(errors(doc)).toEqual([]);
    });
  });

  describe('variables', () => {
    it('warns when a variable is read but never set', () => {
      const doc = answeredThen(['media.play', { text: 'Hi {{ vars.name }}' }]);
      expect(warnings(doc)).toContainEqual(
        expect.objectContaining({
          nodeId: 'n',
          path: ['nodes', 2, 'config', 'text'],
          message:
            'Message: the variable “name” is used but no node sets it, so it is always empty',
        }),
      );
    });
    it('accepts variables set by a node', () => {
      const doc = answeredThen(
        ['logic.setVariables', { assignments: [{ name: 'name', value: 'Ann' }] }],
        { next: 'c' },
        {
          c: ['media.collectDigits', { variable: 'code' }],
          p: marker('{{ vars.name }} {{ vars.code }}'),
        },
        [['c', 'collected', 'p']],
      );
      expect(messages(warnings(doc)).filter((m) => m.includes('variable'))).toEqual([]);
    });
    it('warns about results of nodes that do not exist', () => {
      const doc = answeredThen(['media.play', { text: '{{ results.nothere.digits }}' }]);
      expect(messages(warnings(doc))).toContain(
        'Message: there is no node “nothere” in this flow, so results.nothere is always empty',
      );
    });
  });

  describe('node references', () => {
    it('reports a reference to a missing node or a node of the wrong kind', () => {
      const missing = answeredThen(['call.cancelAddParticipant', { addParticipantNodeId: 'x' }]);
      expect(messages(errors(missing))).toContain(
        'Invitation of: there is no node “x” in this flow',
      );
      const wrong = answeredThen(['call.cancelAddParticipant', { addParticipantNodeId: 'a' }]);
      expect(errors(wrong)).toHaveLength(1);
    });
    it('accepts a reference to an add-participant node', () => {
      const doc = answeredThen(
        ['call.addParticipant', { target: '8:acs:abc_def', waitForAnswer: false }],
        { added: 'c' },
        { c: ['call.cancelAddParticipant', { addParticipantNodeId: 'n' }] },
      );
      expect(errors(doc)).toEqual([]);
    });
  });

  it('validates both example flows with no errors', () => {
    expect(errors(example('main-ivr'))).toEqual([]);
    expect(errors(example('appointment-reminder'))).toEqual([]);
  });

  it('handles a generated 2,000-node flow (timing is reported by the benchmark)', () => {
    const doc = generateFlow(2000);
    expect(doc.nodes.length).toBeGreaterThanOrEqual(1990);
    expect(errors(doc)).toEqual([]);
  });
});
