import type { FlowDocument } from '@switchboard/flow';
import { defaultConfig } from '@switchboard/flow';

const node = (id: string, type: string, y: number, config: Record<string, unknown> = {}) => ({
  id,
  type,
  position: { x: 0, y },
  config: { ...(defaultConfig(type) ?? {}), ...config },
});

/** Answer, then hang up: validates with no issues. */
export function validFlow(name = 'Tiny IVR'): FlowDocument {
  return {
    schemaVersion: 1,
    name,
    nodes: [
      node('start', 'trigger.incomingCall', 0),
      node('answer', 'call.answer', 100),
      node('bye', 'call.hangUp', 200),
      node('fail', 'call.hangUp', 300),
    ],
    edges: [
      { id: 'e1', source: 'start', sourceOutcome: 'next', target: 'answer' },
      { id: 'e2', source: 'answer', sourceOutcome: 'connected', target: 'bye' },
      { id: 'e3', source: 'answer', sourceOutcome: 'failed', target: 'fail' },
    ],
  };
}

/** Structurally fine, but the transfer has no target: publishing must be refused. */
export function invalidFlow(name = 'Broken IVR'): FlowDocument {
  const doc = validFlow(name);
  doc.nodes.push(node('transfer', 'call.transfer', 400, { target: 'not a number' }));
  doc.edges[1] = { id: 'e2', source: 'answer', sourceOutcome: 'connected', target: 'transfer' };
  return doc;
}

/** A structurally valid flow with `n` play nodes (for size limits). */
export function bigFlow(n: number, textLength = 10): FlowDocument {
  const doc = validFlow('Big');
  for (let i = 0; i < n; i++) {
    doc.nodes.push(node(`n${i}`, 'media.play', 1000 + i, { text: 'x'.repeat(textLength) }));
  }
  return doc;
}
