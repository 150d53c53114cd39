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
  {
    id: 'incoming',
    type: 'trigger.incomingCall',
    label: 'Incoming call',
    position: at(0, 1),
    config: {},
  },
  { id: 'answer', type: 'call.answer', label: 'Answer', position: at(1, 1), config: {} },
  {
    id: 'menu',
    type: 'media.menu',
    label: 'Main menu',
    position: at(2, 1),
    config: {
      prompt: 'Thank you for calling. For sales, press 1. For support, press 2.',
      choices: [
        { digit: '1', label: 'Sales' },
        { digit: '2', label: 'Support' },
      ],
    },
  },
  {
    id: 'sales',
    type: 'call.transfer',
    label: 'Sales',
    position: at(3, 0),
    config: { target: '+14255550100' },
  },
  {
    id: 'support',
    type: 'call.transfer',
    label: 'Support',
    position: at(3, 1),
    config: { target: '+14255550101' },
  },
  {
    id: 'goodbye',
    type: 'media.play',
    label: 'No choice',
    position: at(3, 2),
    config: { text: 'We did not get your choice. Please call again. Goodbye.' },
  },
  {
    id: 'sorry',
    type: 'media.play',
    label: 'Nobody free',
    position: at(4, 0),
    config: { text: 'Sorry, nobody can take your call right now. Please try again later.' },
  },
  {
    id: 'hangUp',
    type: 'call.hangUp',
    label: 'Hang up',
    position: at(5, 1),
    config: { forEveryone: true },
  },
];

const afterHoursNodes: Nodes = [
  {
    id: 'incoming',
    type: 'trigger.incomingCall',
    label: 'Incoming call',
    position: at(0, 1),
    config: {},
  },
  { id: 'answer', type: 'call.answer', label: 'Answer', position: at(1, 1), config: {} },
  {
    id: 'hours',
    type: 'logic.businessHours',
    label: 'Open now?',
    position: at(2, 1),
    config: { timezone: 'America/New_York', weekly: weekdays('09:00', '17:00'), holidays: [] },
  },
  {
    id: 'transfer',
    type: 'call.transfer',
    label: 'Front desk',
    position: at(3, 0),
    config: { target: '+14255550100' },
  },
  {
    id: 'closed',
    type: 'media.play',
    label: 'Closed message',
    position: at(4, 2),
    config: {
      text: 'Thank you for calling. We are closed now. Our hours are Monday to Friday, 9 AM to 5 PM. Goodbye.',
    },
  },
  {
    id: 'hangUp',
    type: 'call.hangUp',
    label: 'Hang up',
    position: at(5, 1),
    config: { forEveryone: true },
  },
];

const reminderNodes: Nodes = [
  {
    id: 'call',
    type: 'trigger.outboundCall',
    label: 'Call the customer',
    position: at(0, 1),
    config: {
      targets: [],
      callerId: '+18005550100',
      displayName: 'Reminders',
      variables: [
        { name: 'customerName', value: 'there' },
        { name: 'appointmentTime', value: 'tomorrow' },
      ],
    },
  },
  {
    id: 'ask',
    type: 'media.menu',
    label: 'Confirm?',
    position: at(1, 1),
    config: {
      prompt:
        'Hello {{ vars.customerName }}, this is a reminder of your appointment {{ vars.appointmentTime }}. To confirm, press 1. To cancel, press 2.',
      choices: [
        { digit: '1', label: 'Confirm' },
        { digit: '2', label: 'Cancel' },
      ],
    },
  },
  {
    id: 'confirmed',
    type: 'media.play',
    label: 'Confirmed',
    position: at(2, 0),
    config: { text: 'Thank you. Your appointment is confirmed. Goodbye.' },
  },
  {
    id: 'cancelled',
    type: 'media.play',
    label: 'Cancelled',
    position: at(2, 1),
    config: { text: 'Your appointment is cancelled. Please call us to book a new one. Goodbye.' },
  },
  {
    id: 'noChoice',
    type: 'media.play',
    label: 'No choice',
    position: at(2, 2),
    config: { text: 'We did not get your choice. We will call again later. Goodbye.' },
  },
  {
    id: 'hangUp',
    type: 'call.hangUp',
    label: 'Hang up',
    position: at(3, 1),
    config: { forEveryone: true },
  },
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
