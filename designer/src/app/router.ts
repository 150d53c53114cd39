import { useSyncExternalStore } from 'react';
import { formatCallsFilters, parseCallsFilters, type CallsFilters } from '../calls/callFilters.js';

/**
 * Hash routes (#/flows/abc), so the engine can serve the built designer as static files with
 * no server-side routes to know about.
 */
export type AdminTab = 'users' | 'tokens' | 'audit';
const ADMIN_TABS: AdminTab[] = ['users', 'tokens', 'audit'];

export type Route =
  | { page: 'flows' }
  | { page: 'editor'; flowId: string }
  | { page: 'version'; flowId: string; version: number }
  | { page: 'entryPoints' }
  | { page: 'environment' }
  | { page: 'admin'; tab: AdminTab }
  | { page: 'calls'; filters: CallsFilters }
  | { page: 'run'; runId: string }
  | { page: 'login'; next?: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  const [pathname = '/', query = ''] = path.split('?');
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'login') {
    const next = new URLSearchParams(query).get('next') ?? undefined;
    return next ? { page: 'login', next } : { page: 'login' };
  }
  if (parts[0] === 'entry-points') return { page: 'entryPoints' };
  if (parts[0] === 'environment') return { page: 'environment' };
  if (parts[0] === 'admin') {
    const tab = ADMIN_TABS.find((t) => t === parts[1]) ?? 'users';
    return { page: 'admin', tab };
  }
  if (parts[0] === 'calls') {
    if (parts[1]) return { page: 'run', runId: parts[1] };
    return { page: 'calls', filters: parseCallsFilters(query) };
  }
  if (parts[0] === 'flows' && parts[1]) {
    if (parts[2] === 'versions' && parts[3] && Number.isInteger(Number(parts[3]))) {
      return { page: 'version', flowId: parts[1], version: Number(parts[3]) };
    }
    return { page: 'editor', flowId: parts[1] };
  }
  return { page: 'flows' };
}

export function routePath(route: Route): string {
  switch (route.page) {
    case 'flows':
      return '/';
    case 'editor':
      return `/flows/${encodeURIComponent(route.flowId)}`;
    case 'version':
      return `/flows/${encodeURIComponent(route.flowId)}/versions/${route.version}`;
    case 'entryPoints':
      return '/entry-points';
    case 'environment':
      return '/environment';
    case 'admin':
      return `/admin/${route.tab}`;
    case 'calls': {
      const query = formatCallsFilters(route.filters);
      return query ? `/calls?${query}` : '/calls';
    }
    case 'run':
      return `/calls/${encodeURIComponent(route.runId)}`;
    case 'login':
      return route.next ? `/login?next=${encodeURIComponent(route.next)}` : '/login';
  }
}

export function navigate(route: Route | string, options?: { replace?: boolean }): void {
  const path = typeof route === 'string' ? route : routePath(route);
  if (options?.replace) {
    history.replaceState(null, '', `#${path}`);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    location.hash = path;
  }
}

function subscribe(callback: () => void) {
  window.addEventListener('hashchange', callback);
  return () => window.removeEventListener('hashchange', callback);
}

export function useHash(): string {
  return useSyncExternalStore(subscribe, () => location.hash);
}
