/**
 * The Rooms REST API (api-version 2025-03-13, what @azure/communication-rooms 1.2.x sends)
 * under /rooms: create, get, update (merge patch), delete and list rooms, and list and
 * add/update/remove their participants. Same endpoint and HMAC authentication as Call
 * Automation, so RoomsClient works unmodified with the emulator's connection string.
 *
 * Rules, as the Rooms API states them: validFrom defaults to now and validUntil to 180 days
 * later; validUntil must be after validFrom, at most 180 days; participants are ACS users
 * (of this resource) with a role (Presenter, Attendee, Consumer, Collaborator), and `null`
 * removes one. Errors are 400 naming the field, 404 for an unknown room, with x-ms-error-code.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { AcsHttpError } from './errors.js';
import { parseJson } from './http-util.js';
import { parseIdentityString } from './identifiers.js';
import type { Logger } from './logger.js';
import type { EmulatedResource } from './resource.js';
import { ROOM_MAX_VALIDITY_MS, type Room, type RoomRole, roomModel, roomRoles } from './rooms.js';
import { type Answer, FieldError, serveSigned } from './signed-api.js';

const PAGE_SIZE = 100;

const dateTime = (field: string) =>
  z
    .string({ error: `'${field}' must be an RFC 3339 date-time.` })
    .transform((v, ctx) => {
      const t = Date.parse(v);
      if (Number.isNaN(t)) {
        ctx.addIssue({ code: 'custom', message: `'${field}' must be an RFC 3339 date-time.` });
        return z.NEVER;
      }
      return new Date(t);
    })
    .nullish();

const participants = z.record(
  z.string(),
  z
    .object(
      {
        role: z.enum(roomRoles, {
          error: `A participant's 'role' must be ${roomRoles.join(', ')}.`,
        }),
      },
      { error: 'A participant must be { role } (or null to remove it).' },
    )
    .nullable(),
  { error: "'participants' must be an object of roles by raw id." },
);

const CreateRoomBody = z.object({
  validFrom: dateTime('validFrom'),
  validUntil: dateTime('validUntil'),
  pstnDialOutEnabled: z.boolean({ error: "'pstnDialOutEnabled' must be a boolean." }).nullish(),
  participants: participants.nullish(),
});

const UpdateRoomBody = CreateRoomBody.omit({ participants: true });

const UpdateParticipantsBody = z.object({ participants });

function read<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.map(String).join('.') || 'body';
  throw new FieldError(400, 'BadRequest', issue.message, field);
}

export class RoomsApi {
  constructor(
    private readonly deps: { resource: EmulatedResource; accessKey: Buffer; logger: Logger },
  ) {}

  handle(req: IncomingMessage, res: ServerResponse, rawBody: Buffer, url: URL): void {
    serveSigned(req, res, rawBody, this.deps, () => this.route(req.method ?? 'GET', url, rawBody));
  }

  private route(method: string, url: URL, rawBody: Buffer): Answer {
    const { rooms } = this.deps.resource;
    const m = /^\/rooms(?:\/([^/]+)(\/participants)?)?$/.exec(url.pathname);
    if (!m) throw new AcsHttpError(404, 'NotFound', `No route for ${url.pathname}.`);
    const id = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
    const notAllowed = () => new AcsHttpError(405, 'MethodNotAllowed', 'Method not allowed.');

    if (id === undefined) {
      if (method === 'GET') return { status: 200, body: page(url, rooms.list().map(roomModel)) };
      if (method !== 'POST') throw notAllowed();
      const b = read(CreateRoomBody, parseJson(rawBody));
      const validFrom = b.validFrom ?? new Date();
      const validUntil = b.validUntil ?? new Date(validFrom.getTime() + ROOM_MAX_VALIDITY_MS);
      checkValidity(validFrom, validUntil);
      const invited = new Map<string, RoomRole>();
      this.applyParticipants(invited, b.participants ?? {});
      const room = rooms.create({
        validFrom,
        validUntil,
        pstnDialOutEnabled: b.pstnDialOutEnabled ?? false,
        participants: invited,
      });
      return { status: 201, body: roomModel(room) };
    }

    const room = rooms.get(id);
    if (!room) throw new AcsHttpError(404, 'NotFound', `Room '${id}' not found.`);
    if (m[2]) {
      if (method === 'GET') {
        const list = [...room.participants].map(([rawId, role]) => ({ rawId, role }));
        return { status: 200, body: page(url, list) };
      }
      if (method !== 'PATCH') throw notAllowed();
      const b = read(UpdateParticipantsBody, parseJson(rawBody));
      this.applyParticipants(room.participants, b.participants);
      return { status: 200, body: {} };
    }
    switch (method) {
      case 'GET':
        return { status: 200, body: roomModel(room) };
      case 'DELETE':
        rooms.delete(id);
        return { status: 204 };
      case 'PATCH': {
        const b = read(UpdateRoomBody, parseJson(rawBody));
        const validFrom = b.validFrom ?? room.validFrom;
        const validUntil = b.validUntil ?? room.validUntil;
        checkValidity(validFrom, validUntil);
        room.validFrom = validFrom;
        room.validUntil = validUntil;
        if (typeof b.pstnDialOutEnabled === 'boolean') {
          room.pstnDialOutEnabled = b.pstnDialOutEnabled;
        }
        return { status: 200, body: roomModel(room) };
      }
    }
    throw notAllowed();
  }

  /** Checks every entry before changing anything, so a bad one leaves the room as it was. */
  private applyParticipants(
    into: Room['participants'],
    changes: Record<string, { role: RoomRole } | null>,
  ): void {
    const { identities } = this.deps.resource;
    const entries = Object.entries(changes).map(([rawId, change]) => {
      const field = `participants.${rawId}`;
      let kind: string;
      try {
        kind = parseIdentityString(rawId).kind;
      } catch {
        kind = 'unknown';
      }
      if (kind !== 'communicationUser' || !identities.isOfThisResource(rawId)) {
        throw new FieldError(
          400,
          'BadRequest',
          `'${rawId}' is not a communication user of this resource: room participants are its ACS users.`,
          field,
        );
      }
      return [rawId, change] as const;
    });
    for (const [rawId, change] of entries) {
      if (change === null) into.delete(rawId);
      else into.set(rawId, change.role);
    }
  }
}

function checkValidity(validFrom: Date, validUntil: Date): void {
  if (validUntil.getTime() <= validFrom.getTime()) {
    throw new FieldError(
      400,
      'BadRequest',
      "'validUntil' must be after 'validFrom'.",
      'validUntil',
    );
  }
  if (validUntil.getTime() - validFrom.getTime() > ROOM_MAX_VALIDITY_MS) {
    throw new FieldError(
      400,
      'BadRequest',
      'A room can be valid for at most 180 days (validFrom to validUntil).',
      'validUntil',
    );
  }
}

/** `{ value, nextLink }` pages, the nextLink keeping the api-version the client sent. */
function page<T>(url: URL, all: T[]): { value: T[]; nextLink?: string } {
  const n = Math.max(1, Number(url.searchParams.get('page') ?? '1') || 1);
  const value = all.slice((n - 1) * PAGE_SIZE, n * PAGE_SIZE);
  if (all.length <= n * PAGE_SIZE) return { value };
  const apiVersion = url.searchParams.get('api-version');
  const next = new URLSearchParams({ ...(apiVersion ? { 'api-version': apiVersion } : {}) });
  next.set('page', String(n + 1));
  return { value, nextLink: `${url.pathname}?${next.toString()}` };
}
