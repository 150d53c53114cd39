import { create } from 'zustand';
import { api, ApiError, type Me } from '../api/client.js';

interface SessionState {
  status: 'loading' | 'anonymous' | 'authenticated';
  me?: Me;
  refresh(): Promise<void>;
  login(username: string, password: string): Promise<void>;
  logout(): Promise<void>;
  expired(): void;
}

/** Who is signed in, from `/api/auth/me`; the UI adapts to `me.role`. */
export const useSession = create<SessionState>()((set) => ({
  status: 'loading',
  async refresh() {
    try {
      const me = normalizeMe(await api.me());
      set({ status: 'authenticated', me });
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
        set({ status: 'anonymous', me: undefined });
      } else {
        throw error;
      }
    }
  },
  async login(username, password) {
    await api.login(username, password);
    const me = normalizeMe(await api.me());
    set({ status: 'authenticated', me });
  },
  async logout() {
    try {
      await api.logout();
    } finally {
      set({ status: 'anonymous', me: undefined });
    }
  },
  expired() {
    set({ status: 'anonymous', me: undefined });
  },
}));

function normalizeMe(raw: unknown): Me {
  const r = (raw ?? {}) as Record<string, unknown>;
  const user = (r['user'] ?? r) as Record<string, unknown>;
  return {
    id: user['id'] as string | undefined,
    name: String(user['name'] ?? user['username'] ?? ''),
    role: (user['role'] ?? r['role']) as Me['role'],
  };
}
