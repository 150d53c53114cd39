import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import type { Page } from '../common/pagination.js';
import { notFound } from '../common/problem.js';
import { FlowsRepository } from '../flows/flows.repository.js';
import type { PresenceDto } from './presence.schemas.js';
import { PresenceRepository } from './presence.repository.js';

/** An editor tab sends a heartbeat this often (the designer's PRESENCE_BEAT_MS matches it). */
export const PRESENCE_BEAT_SECONDS = 15;
/** A tab not heard from for two beats and a margin is no longer editing. */
export const PRESENCE_TTL_SECONDS = PRESENCE_BEAT_SECONDS * 2 + 5;

/**
 * Who else has a flow open in an editor, from each tab's heartbeat: "maria is editing", and the
 * caller's own other tabs marked as theirs. Kept in the database so every engine sees them.
 */
@Injectable()
export class PresenceService {
  constructor(
    private readonly presence: PresenceRepository,
    private readonly flows: FlowsRepository,
  ) {}

  async beat(flowId: string, tabId: string, me: Principal): Promise<Page<PresenceDto>> {
    if (!(await this.flows.find(flowId))) throw notFound(`Flow ${flowId}`);
    const now = new Date();
    await this.presence.beat({ flowId, tabId, userId: me.id, userName: me.name, seenAt: now });
    const since = new Date(now.getTime() - PRESENCE_TTL_SECONDS * 1000);
    // Housekeeping on the way: rows of tabs closed without saying so.
    await this.presence.forget(new Date(now.getTime() - 10 * PRESENCE_TTL_SECONDS * 1000));
    const rows = await this.presence.others(flowId, tabId, since);
    return {
      items: rows.map((r) => ({
        userId: r.userId,
        userName: r.userName,
        tabId: r.tabId,
        self: r.userId === me.id,
        seenAt: r.seenAt.toISOString(),
      })),
      nextCursor: null,
    };
  }

  async leave(flowId: string, tabId: string, me: Principal): Promise<void> {
    await this.presence.leave(flowId, tabId, me.id);
  }
}
