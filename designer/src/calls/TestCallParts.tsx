import { Badge, Text, type BadgeProps } from '@fluentui/react-components';
import { formatTarget } from '@switchboard/flow';
import { memo } from 'react';
import type { HeardEntry, TestParticipant, TestTimelineEntry } from '../api/client.js';
import { formatTime } from './StepTimeline.js';
import { VirtualList } from './VirtualList.js';

const ROLE_NAMES: Record<string, string> = { caller: 'Caller', app: 'The flow', callee: 'Callee' };

const OUTCOMES: Record<string, string> = {
  decline: 'Declined',
  busy: 'Busy',
  noAnswer: 'No answer',
};

/** The state shown for a participant: on hold wins over connected; emulator words capitalised. */
export function participantState(
  p: Pick<TestParticipant, 'state' | 'isOnHold'> & { outcome?: string },
): string {
  if (p.isOnHold && p.state.toLowerCase() === 'connected') return 'On hold';
  const words = p.state.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const STATE_COLOURS: Record<string, BadgeProps['color']> = {
  Connected: 'success',
  'On hold': 'warning',
  Ringing: 'brand',
  Connecting: 'informative',
  Disconnected: 'subtle',
};

function who(rawId: string): string {
  const id = rawId.startsWith('4:') ? rawId.slice(2) : rawId;
  return formatTarget(id);
}

export const Participants = memo(function Participants({
  participants,
}: {
  participants: readonly TestParticipant[];
}) {
  return (
    <section className="sb-participants" aria-label="Participants">
      <Text weight="semibold" size={300} block>
        Participants
      </Text>
      {participants.length === 0 ? (
        <Text size={200}>Nobody on the call yet.</Text>
      ) : (
        <ul className="sb-participants__list">
          {participants.map((p) => {
            const state = participantState(p);
            return (
              <li
                key={`${p.role}:${p.rawId}`}
                className="sb-participant"
                data-role={p.role}
                data-state={state}
              >
                <span className="sb-participant__who">
                  <Text size={200} weight="semibold">
                    {ROLE_NAMES[p.role] ?? p.role}
                  </Text>{' '}
                  <Text size={200} title={p.rawId}>
                    {who(p.rawId)}
                  </Text>
                </span>
                <span className="sb-participant__state">
                  <Badge appearance="tint" color={STATE_COLOURS[state] ?? 'informative'}>
                    {state}
                  </Badge>
                  {p.outcome && (
                    <Badge appearance="outline" color="danger">
                      {OUTCOMES[p.outcome] ?? p.outcome}
                    </Badge>
                  )}
                  {p.isMuted && (
                    <Badge appearance="outline" color="subtle">
                      Muted
                    </Badge>
                  )}
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
});

/** What the caller heard, in order: the spoken text (and voice), or the audio file. */
export const CallerHeard = memo(function CallerHeard({
  heard,
  nodeName,
}: {
  heard: readonly HeardEntry[];
  nodeName?: (nodeId: string) => string;
}) {
  return (
    <section className="sb-heard" aria-label="What the caller hears">
      <Text weight="semibold" size={300} block>
        What the caller hears
      </Text>
      {heard.length === 0 ? (
        <Text size={200}>Nothing yet.</Text>
      ) : (
        <ol className="sb-heard__list">
          {heard.map((h, i) => (
            <li key={i} className="sb-heard__item">
              <Text block>{h.text ?? (h.url ? `Audio: ${h.url}` : '(silence)')}</Text>
              <Text size={100} className="sb-heard__meta">
                {formatTime(h.at)}
                {h.voice ? ` · voice ${h.voice}` : ''}
                {h.nodeId && nodeName ? ` · ${nodeName(h.nodeId)}` : ''}
              </Text>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
});

const HIDDEN_KEYS = new Set(['at', 'kind', 'serverCallId']);

/** The details of a timeline entry on one line: `type=CallConnected participant=4:+1…`. */
export function timelineDetails(entry: TestTimelineEntry): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(entry)) {
    if (HIDDEN_KEYS.has(key) || value === undefined || value === null) continue;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    parts.push(`${key}=${text.length > 80 ? `${text.slice(0, 77)}…` : text}`);
  }
  return parts.join(' ');
}

export const EmulatorTimeline = memo(function EmulatorTimeline({
  timeline,
}: {
  timeline: readonly TestTimelineEntry[];
}) {
  return (
    <section className="sb-emu-timeline" aria-label="Emulator timeline">
      <Text weight="semibold" size={300} block>
        Call timeline (emulator)
      </Text>
      {timeline.length === 0 ? (
        <Text size={200}>No entries.</Text>
      ) : (
        <VirtualList
          items={timeline}
          rowHeight={24}
          label="Emulator timeline entries"
          className="sb-emu-timeline__list"
          renderRow={(entry) => (
            <div className="sb-emu-timeline__row" title={timelineDetails(entry)}>
              <span>{formatTime(entry.at)}</span>
              <span className="sb-emu-timeline__kind">{entry.kind}</span>
              <span className="sb-emu-timeline__details">{timelineDetails(entry)}</span>
            </div>
          )}
        />
      )}
    </section>
  );
});
