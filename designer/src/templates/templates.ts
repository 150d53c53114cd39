import type { FlowDocument } from '@switchboard/flow';

/**
 * Starter flows for New flow: each is valid with no warnings (every outcome connected), with
 * placeholder numbers and wording for the analyst to change. Only documents: what each node
 * type is and does stays in the catalogue.
 */
export interface FlowTemplate {
  id: string;
  title: string;
  description: string;
  document: Omit<FlowDocument, 'name'>;
}

type Nodes = FlowDocument['nodes'];
type Edges = FlowDocument['edges'];

const at = (x: number, y: number) => ({ x: x * 300, y: y * 170 });
const node = (
  id: string,
  type: string,
  label: string,
  position: { x: number; y: number },
  config: Record<string, unknown> = {},
): Nodes[number] => ({ id, type, label, position, config });
const wire = (...links: [string, string, string][]): Edges =>
  links.map(([source, sourceOutcome, target]) => ({
    id: `${source}.${sourceOutcome}`,
    source,
    sourceOutcome,
    target,
  }));

const weekdays = (from: string, to: string) =>
  Object.fromEntries(
    ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [
      d,
      d === 'sat' || d === 'sun' ? [] : [{ from, to }],
    ]),
  ) as Record<string, { from: string; to: string }[]>;

const mainIvrNodes: Nodes = [
  node('incoming', 'trigger.incomingCall', 'Incoming call', at(0, 1)),
  node('answer', 'call.answer', 'Answer', at(1, 1)),
  node('menu', 'media.menu', 'Main menu', at(2, 1), {
    prompt: 'Thank you for calling. For sales, press 1. For support, press 2.',
    choices: [
      { digit: '1', label: 'Sales' },
      { digit: '2', label: 'Support' },
    ],
  }),
  node('sales', 'call.transfer', 'Sales', at(3, 0), { target: '+14255550100' }),
  node('support', 'call.transfer', 'Support', at(3, 1), { target: '+14255550101' }),
  node('goodbye', 'media.play', 'No choice', at(3, 2), {
    text: 'We did not get your choice. Please call again. Goodbye.',
  }),
  node('sorry', 'media.play', 'Nobody free', at(4, 0), {
    text: 'Sorry, nobody can take your call right now. Please try again later.',
  }),
  node('hangUp', 'call.hangUp', 'Hang up', at(5, 1), { forEveryone: true }),
];

const afterHoursNodes: Nodes = [
  node('incoming', 'trigger.incomingCall', 'Incoming call', at(0, 1)),
  node('answer', 'call.answer', 'Answer', at(1, 1)),
  node('hours', 'logic.businessHours', 'Open now?', at(2, 1), {
    timezone: 'America/New_York',
    weekly: weekdays('09:00', '17:00'),
    holidays: [],
  }),
  node('transfer', 'call.transfer', 'Front desk', at(3, 0), { target: '+14255550100' }),
  node('closed', 'media.play', 'Closed message', at(4, 2), {
    text: 'Thank you for calling. We are closed now. Our hours are Monday to Friday, 9 AM to 5 PM. Goodbye.',
  }),
  node('hangUp', 'call.hangUp', 'Hang up', at(5, 1), { forEveryone: true }),
];

const reminderNodes: Nodes = [
  node('call', 'trigger.outboundCall', 'Call the customer', at(0, 1), {
    targets: [],
    callerId: '+18005550100',
    displayName: 'Reminders',
    variables: [
      { name: 'customerName', value: 'there' },
      { name: 'appointmentTime', value: 'tomorrow' },
    ],
  }),
  node('ask', 'media.menu', 'Confirm?', at(1, 1), {
    prompt:
      'Hello {{ vars.customerName }}, this is a reminder of your appointment {{ vars.appointmentTime }}. To confirm, press 1. To cancel, press 2.',
    choices: [
      { digit: '1', label: 'Confirm' },
      { digit: '2', label: 'Cancel' },
    ],
  }),
  node('confirmed', 'media.play', 'Confirmed', at(2, 0), {
    text: 'Thank you. Your appointment is confirmed. Goodbye.',
  }),
  node('cancelled', 'media.play', 'Cancelled', at(2, 1), {
    text: 'Your appointment is cancelled. Please call us to book a new one. Goodbye.',
  }),
  node('noChoice', 'media.play', 'No choice', at(2, 2), {
    text: 'We did not get your choice. We will call again later. Goodbye.',
  }),
  node('hangUp', 'call.hangUp', 'Hang up', at(3, 1), { forEveryone: true }),
];

export const FLOW_TEMPLATES: FlowTemplate[] = [
  {
    id: 'main-ivr',
    title: 'Main IVR',
    description: 'Answer, then a menu: 1 for sales, 2 for support; a message when nobody is free.',
    document: {
      schemaVersion: 1,
      description: 'Answer, then a menu: sales or support',
      nodes: mainIvrNodes,
      edges: wire(
        ['incoming', 'next', 'answer'],
        ['answer', 'connected', 'menu'],
        ['answer', 'failed', 'hangUp'],
        ['menu', 'choice:1', 'sales'],
        ['menu', 'choice:2', 'support'],
        ['menu', 'noInput', 'goodbye'],
        ['menu', 'invalid', 'goodbye'],
        ['menu', 'failed', 'hangUp'],
        ['sales', 'failed', 'sorry'],
        ['support', 'failed', 'sorry'],
        ['goodbye', 'completed', 'hangUp'],
        ['goodbye', 'failed', 'hangUp'],
        ['sorry', 'completed', 'hangUp'],
        ['sorry', 'failed', 'hangUp'],
      ),
    },
  },
  {
    id: 'after-hours',
    title: 'After-hours message',
    description: 'In business hours, calls go to the front desk; otherwise a closed message.',
    document: {
      schemaVersion: 1,
      description: 'Business hours: the front desk, else a closed message',
      nodes: afterHoursNodes,
      edges: wire(
        ['incoming', 'next', 'answer'],
        ['answer', 'connected', 'hours'],
        ['answer', 'failed', 'hangUp'],
        ['hours', 'open', 'transfer'],
        ['hours', 'closed', 'closed'],
        ['hours', 'holiday', 'closed'],
        ['transfer', 'failed', 'closed'],
        ['closed', 'completed', 'hangUp'],
        ['closed', 'failed', 'hangUp'],
      ),
    },
  },
  {
    id: 'outbound-reminder',
    title: 'Outbound reminder',
    description: 'Calls a customer about an appointment: press 1 to confirm, 2 to cancel.',
    document: {
      schemaVersion: 1,
      description: 'Calls a customer to confirm or cancel an appointment',
      nodes: reminderNodes,
      edges: wire(
        ['call', 'connected', 'ask'],
        ['call', 'failed', 'hangUp'],
        ['ask', 'choice:1', 'confirmed'],
        ['ask', 'choice:2', 'cancelled'],
        ['ask', 'noInput', 'noChoice'],
        ['ask', 'invalid', 'noChoice'],
        ['ask', 'failed', 'hangUp'],
        ['confirmed', 'completed', 'hangUp'],
        ['confirmed', 'failed', 'hangUp'],
        ['cancelled', 'completed', 'hangUp'],
        ['cancelled', 'failed', 'hangUp'],
        ['noChoice', 'completed', 'hangUp'],
        ['noChoice', 'failed', 'hangUp'],
      ),
    },
  },
];
