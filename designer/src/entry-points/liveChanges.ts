import { formatTarget } from '@switchboard/flow';
import type { EntryPoint } from '../api/client.js';

/**
 * The sentences that say what a change to a live number does, in the words an analyst would
 * use: which flow and version the number answers with now, and what it will answer with.
 */

/** "Main IVR v3"; a flow with nothing published names that instead. */
export function flowAtVersion(flowName: string, version: number | null | undefined): string {
  return version ? `${flowName} v${version}` : `${flowName} (nothing published yet)`;
}

/** What a call to the entry point runs now, e.g. "Main IVR v3". */
export function answersWith(ep: EntryPoint, flowName = ep.flowName): string {
  return flowAtVersion(flowName, ep.effectiveVersion);
}

/** "+1 800 555 0100 now answers with Main IVR v3; it will answer with Sales v1." */
export function rebindSentence(
  ep: EntryPoint,
  next: { flowName: string; version: number | null | undefined; followsLatest: boolean },
): string {
  const after = flowAtVersion(next.flowName, next.version);
  return `${formatTarget(ep.address)} now answers with ${answersWith(ep)}; it will answer with ${after}${
    next.followsLatest && next.version ? ', and with each version published after it' : ''
  }.`;
}

/** What unbinding stops: the number is left with no flow. */
export function unbindSentence(ep: EntryPoint): string {
  return `${formatTarget(ep.address)} now answers with ${answersWith(ep)}; once unbound, calls to it are not answered by any flow.`;
}

/** The numbers that answer with each version of one flow (the "live" versions). */
export function liveVersions(entryPoints: EntryPoint[], flowId: string): Map<number, string[]> {
  const live = new Map<number, string[]>();
  for (const ep of entryPoints) {
    if (ep.flowId !== flowId || !ep.effectiveVersion) continue;
    const numbers = live.get(ep.effectiveVersion) ?? [];
    numbers.push(formatTarget(ep.address));
    live.set(ep.effectiveVersion, numbers);
  }
  return live;
}

/** "+1 800 555 0100 and +1 800 555 0101". */
export function listNumbers(numbers: string[]): string {
  if (numbers.length <= 1) return numbers.join('');
  return `${numbers.slice(0, -1).join(', ')} and ${numbers[numbers.length - 1]}`;
}
