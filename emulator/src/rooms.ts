/**
 * The emulated resource's rooms (the Rooms API): who is invited with which role, when the room
 * is open, and whether its calls may dial out to phones. Call Automation consults them — a
 * connect to a room needs the room to exist and be open now, and an add of a phone number to a
 * room call needs PSTN dial-out enabled. Rooms live in memory for the emulator's life.
 */
import { randomInt } from 'node:crypto';
import { Results, type ResultInformation } from './errors.js';

export const roomRoles = ['Presenter', 'Attendee', 'Consumer', 'Collaborator'] as const;
export type RoomRole = (typeof roomRoles)[number];

/** The Rooms API's default validity (and the longest a room may be open). */
export const ROOM_MAX_VALIDITY_MS = 180 * 24 * 60 * 60 * 1000;

export interface Room {
  id: string;
  createdAt: Date;
  validFrom: Date;
  validUntil: Date;
  pstnDialOutEnabled: boolean;
  participants: Map<string, RoomRole>;
}

export interface RoomModel {
  id: string;
  createdAt: string;
  validFrom: string;
  validUntil: string;
  pstnDialOutEnabled: boolean;
}

export function roomModel(room: Room): RoomModel {
  return {
    id: room.id,
    createdAt: room.createdAt.toISOString(),
    validFrom: room.validFrom.toISOString(),
    validUntil: room.validUntil.toISOString(),
    pstnDialOutEnabled: room.pstnDialOutEnabled,
  };
}

export class Rooms {
  private readonly rooms = new Map<string, Room>();

  /** The caller has validated the times and participants. */
  create(input: Omit<Room, 'id' | 'createdAt'>): Room {
    let id: string;
    // ACS room ids are 17-digit numbers, e.g. 99199690362660524.
    do
      id = `99${String(randomInt(1e8)).padStart(8, '0')}${String(randomInt(1e7)).padStart(7, '0')}`;
    while (this.rooms.has(id));
    const room: Room = { id, createdAt: new Date(), ...input };
    this.rooms.set(id, room);
    return room;
  }

  get(id: string): Room | undefined {
    return this.rooms.get(id);
  }

  delete(id: string): boolean {
    return this.rooms.delete(id);
  }

  /** In creation order. */
  list(): Room[] {
    return [...this.rooms.values()];
  }

  /** Why a call in the room cannot take place now, if it cannot. */
  refusal(id: string, now = Date.now()): ResultInformation | undefined {
    const room = this.rooms.get(id);
    if (!room) return Results.roomNotFound;
    if (now < room.validFrom.getTime() || now >= room.validUntil.getTime()) {
      return Results.roomNotOpen;
    }
    return undefined;
  }
}
