// `license-admin/client`: the online API from an app (Node, Electron, browsers; fetch only). activate() keeps
// the signed lease it is answered with; validate() asks the server and, when the server cannot be reached,
// falls back to that lease, verified offline (`license-admin/verify`), until it expires.
import { verifyLease } from '../verify/lease.js';
import type { PublicJwk } from '../verify/ed25519.js';

export interface LeaseStorage {
  get(name: string): string | null | undefined | Promise<string | null | undefined>;
  set(name: string, value: string | null): void | Promise<void>;
}

export interface LicenseClientOptions {
  /** The license server, e.g. "https://licenses.example.com". */
  baseUrl: string;
  /** The product's public keys (what `license-admin keys show` prints), to check leases offline. */
  keys: PublicJwk[] | { keys: PublicJwk[] };
  /** A stable id of this machine; sent to activate, never stored by the server (only a keyed hash). */
  fingerprint: string;
  product?: string;
  /** Where leases are kept (localStorage, a file, the keychain); default: memory. */
  storage?: LeaseStorage;
  fetch?: typeof fetch;
  now?: () => Date;
  timeoutMs?: number;
}

export type ClientResult =
  | { ok: true; status: 'valid' | 'activated' | 'deactivated'; offline: boolean; activationId?: string; leaseExpiresAt?: Date }
  | { ok: false; status: string; offline: boolean; detail?: string };

function memoryStorage(): LeaseStorage {
  const m = new Map<string, string>();
  return { get: (n) => m.get(n) ?? null, set: (n, v) => void (v === null ? m.delete(n) : m.set(n, v)) };
}

export function createLicenseClient(options: LicenseClientOptions) {
  const storage = options.storage ?? memoryStorage();
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const leaseName = (key: string) => `license-admin:lease:${key.trim().toUpperCase()}`;

  /** The server's JSON answer, or null when it could not be reached (offline, timeout, a 5xx). */
  async function call(path: string, body: Record<string, unknown>): Promise<{ status: number; json: Record<string, unknown> } | null> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 10_000);
    try {
      const res = await doFetch(`${options.baseUrl.replace(/\/+$/, '')}${path}`, {
        method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body), signal: controller.signal,
      });
      if (res.status >= 500 || res.status === 429) return null;
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  async function offline(key: string): Promise<ClientResult> {
    const lease = await storage.get(leaseName(key));
    if (!lease) return { ok: false, status: 'offline_no_lease', offline: true, detail: 'the server cannot be reached and this machine holds no lease' };
    const checked = await verifyLease(lease, { keys: options.keys, fingerprint: options.fingerprint, ...(options.product ? { product: options.product } : {}), ...(options.now ? { now: options.now() } : {}) });
    if (!checked.valid || checked.lease.key.toUpperCase() !== key.trim().toUpperCase()) return { ok: false, status: checked.valid ? 'wrong-license' : checked.reason, offline: true };
    return { ok: true, status: 'valid', offline: true, activationId: checked.lease.activationId, leaseExpiresAt: checked.lease.expiresAt };
  }

  return {
    /** Takes a seat for this machine (again: a fresh lease) and keeps the lease. */
    async activate(key: string, label = ''): Promise<ClientResult> {
      const answer = await call('/api/v1/licenses/activate', { key, fingerprint: options.fingerprint, label });
      if (!answer) return offline(key);
      const j = answer.json;
      if (j.status !== 'activated' || typeof j.lease !== 'string') return { ok: false, status: String(j.status ?? 'error'), offline: false };
      await storage.set(leaseName(key), j.lease);
      return { ok: true, status: 'activated', offline: false, activationId: (j.activation as { id: string }).id, leaseExpiresAt: new Date(String(j.leaseExpiresAt)) };
    },
    /** Online: the server's word (a revoked license loses its lease). Offline: the stored lease. */
    async validate(key: string): Promise<ClientResult> {
      const answer = await call('/api/v1/licenses/validate', { key, fingerprint: options.fingerprint });
      if (!answer) return offline(key);
      const status = String(answer.json.status ?? 'error');
      if (status === 'valid') return { ok: true, status: 'valid', offline: false, activationId: (answer.json.activation as { id: string } | null)?.id ?? '' };
      if (status === 'revoked' || status === 'expired' || status === 'unknown' || status === 'machine_unknown') await storage.set(leaseName(key), null);
      return { ok: false, status, offline: false };
    },
    /** Frees this machine's seat and forgets the lease. */
    async deactivate(key: string): Promise<ClientResult> {
      const answer = await call('/api/v1/licenses/deactivate', { key, fingerprint: options.fingerprint });
      if (!answer) return { ok: false, status: 'offline', offline: true, detail: 'the server cannot be reached; try again online' };
      if (answer.json.status !== 'deactivated') return { ok: false, status: String(answer.json.status ?? 'error'), offline: false };
      await storage.set(leaseName(key), null);
      return { ok: true, status: 'deactivated', offline: false };
    },
  };
}

export type LicenseClient = ReturnType<typeof createLicenseClient>;
