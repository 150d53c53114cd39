import { validateFlow, type FlowDocument } from '@switchboard/flow';
import { describe, expect, it } from 'vitest';
import { FLOW_TEMPLATES } from '../../src/templates/templates.js';

describe('starter templates', () => {
  it.each(FLOW_TEMPLATES.map((t) => [t.title, t] as const))(
    '%s is valid with no warnings',
    (_title, template) => {
      const doc = { ...template.document, name: template.title } as FlowDocument;
      expect(validateFlow(doc).map((i) => `${i.severity}: ${i.message}`)).toEqual([]);
    },
  );
});
