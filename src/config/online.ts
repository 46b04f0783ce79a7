// The optional online API, per product (off unless turned on): config `online` or, for every product at once
// (containers, tests), LICENSE_ADMIN_ONLINE=1 and LICENSE_ADMIN_ACTIVATION_LIMIT=<n>.
import type { Config } from './config.js';
import type { Env } from './paths.js';

export interface OnlineConfig {
  enabled: boolean;
  activations?: {
    /** Machines per license (a license's own `seats` overrides it). */
    limit: number;
    onLimit?: 'refuse' | 'replace-oldest';
    /** A limit per tier, over `limit`. */
    perTier?: Record<string, number>;
  };
  /** How long a lease lets the app work offline (default 30). */
  leaseDays?: number;
  /** How long an app may trust a signed revocation list (default 7 days). */
  revocationListDays?: number;
  /** The numbers an app coded against Lemon Squeezy's License API checks in `meta` (all optional, default 0). */
  lemonSqueezy?: { storeId?: number; productId?: number; variantId?: number; productName?: string; variantName?: string };
  /** Gumroad's product id (and short permalink) that /v2/licenses/verify answers for with any of this product's licenses. */
  gumroad?: { productId?: string; productPermalink?: string };
}

export interface OnlinePolicy {
  limit: number;
  onLimit: 'refuse' | 'replace-oldest';
  leaseDays: number;
}

export const ONLINE_ENV = 'LICENSE_ADMIN_ONLINE';
export const ACTIVATION_LIMIT_ENV = 'LICENSE_ADMIN_ACTIVATION_LIMIT';
const DEFAULT_LEASE_DAYS = 30;
const MAX_LIMIT = 1_000_000;

/** The policy for one product's view of the config and a tier, or null when its online API is off. */
export function onlinePolicy(view: Pick<Config, 'online'>, env: Env, tier?: string): OnlinePolicy | null {
  const online = view.online;
  const envOn = env[ONLINE_ENV] === '1' || env[ONLINE_ENV] === 'true';
  if (!envOn && online?.enabled !== true) return null;
  const envLimit = env[ACTIVATION_LIMIT_ENV];
  const configured = (tier !== undefined ? online?.activations?.perTier?.[tier] : undefined) ?? online?.activations?.limit ?? 1;
  const limit = envLimit !== undefined && /^\d+$/.test(envLimit) ? Number(envLimit) : configured;
  return { limit, onLimit: online?.activations?.onLimit ?? 'refuse', leaseDays: online?.leaseDays ?? DEFAULT_LEASE_DAYS };
}

const isCount = (v: unknown, min: number, max = MAX_LIMIT) => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;

/** What is wrong with an `online` block (for validateConfig); [] when absent or fine. */
export function onlineProblems(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${where} must be an object`];
  const o = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof o.enabled !== 'boolean') problems.push(`${where}.enabled must be true or false`);
  if (o.leaseDays !== undefined && !(isCount(o.leaseDays, 1) && (o.leaseDays as number) <= 3650)) problems.push(`${where}.leaseDays must be a whole number of days from 1 to 3650`);
  if (o.revocationListDays !== undefined && !(isCount(o.revocationListDays, 1) && (o.revocationListDays as number) <= 3650)) problems.push(`${where}.revocationListDays must be a whole number of days from 1 to 3650`);
  const ls = o.lemonSqueezy;
  if (ls !== undefined) {
    const l = (typeof ls === 'object' && ls !== null && !Array.isArray(ls) ? ls : null) as Record<string, unknown> | null;
    if (!l) problems.push(`${where}.lemonSqueezy must be an object`);
    else {
      for (const k of ['storeId', 'productId', 'variantId']) if (l[k] !== undefined && !isCount(l[k], 0, Number.MAX_SAFE_INTEGER)) problems.push(`${where}.lemonSqueezy.${k} must be a whole number`);
      for (const k of ['productName', 'variantName']) if (l[k] !== undefined && typeof l[k] !== 'string') problems.push(`${where}.lemonSqueezy.${k} must be a string`);
    }
  }
  const gr = o.gumroad;
  if (gr !== undefined) {
    const g = (typeof gr === 'object' && gr !== null && !Array.isArray(gr) ? gr : null) as Record<string, unknown> | null;
    if (!g || !['productId', 'productPermalink'].every((k) => g[k] === undefined || typeof g[k] === 'string')) problems.push(`${where}.gumroad must be an object of strings (productId, productPermalink)`);
  }
  const a = o.activations;
  if (a !== undefined) {
    if (typeof a !== 'object' || a === null || Array.isArray(a)) return [...problems, `${where}.activations must be an object`];
    const act = a as Record<string, unknown>;
    if (!isCount(act.limit, 0)) problems.push(`${where}.activations.limit must be a whole number from 0 to ${MAX_LIMIT}`);
    if (act.onLimit !== undefined && act.onLimit !== 'refuse' && act.onLimit !== 'replace-oldest') problems.push(`${where}.activations.onLimit must be "refuse" or "replace-oldest"`);
    if (act.perTier !== undefined) {
      const per = act.perTier;
      if (typeof per !== 'object' || per === null || Array.isArray(per) || !Object.values(per).every((n) => isCount(n, 0))) {
        problems.push(`${where}.activations.perTier must map tiers to whole numbers`);
      }
    }
  }
  return problems;
}
