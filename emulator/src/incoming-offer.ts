/**
 * How a call reaches the resource's applications: an IncomingCall Event Grid event carrying an
 * incomingCallContext that answer, reject and redirect consume. A caller dialling in (the control
 * API) and an invitation to one of the resource's own numbers or users (createCall, add,
 * transfer, redirect — a queue app handing a caller to an agent app) are offered the same way,
 * so the apps cannot tell them apart except by what the event says.
 */
import { randomUUID } from 'node:crypto';
import type { Call, CustomContext, IncomingOffer, OfferRing } from './call-entities.js';
import type { CallCore } from './call-core.js';
import { type Identity, toModel } from './identifiers.js';

const INCOMING_CALL = 'Microsoft.Communication.IncomingCall';

const subjectOf = (from: Identity, to: Identity) => `/caller/${from.rawId}/recipient/${to.rawId}`;

/**
 * Whether an invitation to `target` is the resource's own call. A number it owns always is (with
 * no app subscribed, nobody answers and the invitation times out); a user it owns is only when
 * an app subscribes to that user's calls — otherwise the user's own client rings, as the
 * endpoint behaviours say.
 */
export function routesToApps(core: CallCore, from: Identity, target: Identity): boolean {
  const owner = core.deps.resource.owns(target);
  if (owner === 'number') return true;
  if (owner !== 'user') return false;
  return core.deps.eventGrid.wouldDeliver(INCOMING_CALL, subjectOf(from, target), {
    to: toModel(target),
    from: toModel(from),
  });
}

/** Makes the offer (its context, by which answer/reject/redirect find the call) and publishes it. */
export function openOffer(
  core: CallCore,
  call: Call,
  o: {
    from: Identity;
    to: Identity;
    callerDisplayName?: string;
    customContext?: CustomContext | Record<string, unknown>;
    ring?: OfferRing;
  },
): IncomingOffer {
  const context =
    'eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.' +
    Buffer.from(JSON.stringify({ cc: randomUUID(), sc: call.serverCallId })).toString('base64url') +
    '.';
  const offer: IncomingOffer = {
    context,
    from: o.from,
    to: o.to,
    callerDisplayName: o.callerDisplayName ?? '',
    ...(o.ring ? { ring: o.ring } : {}),
  };
  core.contexts.set(context, call);
  if (o.ring) call.offers.set(context, offer);
  else call.incoming = offer;
  core.deps.eventGrid.publish(
    INCOMING_CALL,
    subjectOf(o.from, o.to),
    {
      to: toModel(o.to),
      from: toModel(o.from),
      serverCallId: call.serverCallId,
      callerDisplayName: offer.callerDisplayName,
      customContext: o.customContext ?? { sipHeaders: {}, voipHeaders: {} },
      incomingCallContext: context,
      correlationId: call.correlationId,
    },
    call,
  );
  return offer;
}
