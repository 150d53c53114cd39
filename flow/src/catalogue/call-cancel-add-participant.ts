import * as z from 'zod';
import { defineNodeType } from './types.js';

export const cancelAddParticipant = defineNodeType({
  type: 'call.cancelAddParticipant',
  version: 1,
  label: 'Cancel invitation',
  category: 'Participants',
  icon: 'PersonDelete',
  description: 'Stops ringing someone an earlier “Add participant” node invited',
  configSchema: z.strictObject({
    addParticipantNodeId: z
      .string()
      .min(1, { error: 'Choose the “Add participant” node whose invitation to cancel' })
      .default('')
      .meta({
        title: 'Invitation of',
        description:
          'The “Add participant” node (with “Wait for answer” off) whose invitation to cancel',
        widget: 'nodeRef',
        nodeType: 'call.addParticipant',
      }),
  }),
  outcomes: [
    { id: 'cancelled', label: 'Cancelled' },
    { id: 'failed', label: 'Failed', failure: true },
  ],
  callControl: 'needsConnectedCall',
  // With no invitation to cancel it fails at once, so it cannot break a loop by itself.
  waits: false,
  summary: (c) =>
    c.addParticipantNodeId === ''
      ? 'Cancel an invitation'
      : `Cancel the invitation of ${c.addParticipantNodeId}`,
  action: (ctx) => {
    const invitationId = ctx.results[ctx.config.addParticipantNodeId]?.invitationId;
    // Nothing to cancel: that node never ran, or ACS has not confirmed the invitation yet.
    if (!invitationId) return { outcome: 'failed' };
    return { kind: 'cancelAddParticipant', invitationId };
  },
  maxWaitSeconds: () => 30,
  events: [
    { on: 'CancelAddParticipantSucceeded', outcome: 'cancelled' },
    { on: 'CancelAddParticipantFailed', outcome: 'failed' },
  ],
  references: (c) =>
    c.addParticipantNodeId === ''
      ? []
      : [
          {
            path: ['addParticipantNodeId'],
            nodeId: c.addParticipantNodeId,
            nodeType: 'call.addParticipant',
          },
        ],
});
