import { describe, expect, it } from 'vitest';
import { parseTemplate } from '../src/templates.js';
import { validateFlow } from '../src/validate/validate-flow.js';

/** Template errors say what to fix, in words, with no parser positions. */
const message = (text: string) => {
  const r = parseTemplate(text);
  if (r.ok) throw new Error(`${text} parsed`);
  return r.message;
};

describe('template error messages', () => {
  it.each([
    ['Hello {{ vars.x', 'The text has a {{ without its closing }} after “vars.x”'],
    ['Hi {% if vars.x %} yes', '“{% if vars.x %}” has no {% endif %} after it'],
    ['{% endif %}', 'The text has a {% endif %} with no {% if … %} before it'],
    ['{{ vars.x | shout }}', '“| shout” is not a filter templates know'],
    ['{% foo %}', '“{% foo %}” is not something a template can do'],
    ['{{ }}', 'The text has an empty {{ }} or tag'],
    ['{{ "abc }}', 'The text has a " inside {{ … }} with no closing "'],
  ])('%s', (text, expected) => {
    const said = message(text);
    expect(said).toContain(expected);
    expect(said).not.toMatch(/line:|col:|not closed/);
  });

  it('reaches the validator with the field path kept', () => {
    const issues = validateFlow({
      schemaVersion: 1,
      name: 'T',
      nodes: [
        { id: 't', type: 'trigger.incomingCall', position: { x: 0, y: 0 }, config: {} },
        {
          id: 'p',
          type: 'media.play',
          position: { x: 0, y: 0 },
          config: { text: 'Your balance is {{ vars.balance' },
        },
      ],
      edges: [{ id: 'e', source: 't', sourceOutcome: 'next', target: 'p' }],
    });
    const issue = issues.find((i) => i.nodeId === 'p' && i.path.at(-1) === 'text')!;
    expect(issue.message).toContain('without its closing }} after “vars.balance”');
    expect(issue.path).toEqual(['nodes', 1, 'config', 'text']);
  });
});
