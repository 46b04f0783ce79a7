// The portal's part of config.json (`portal`), with its defaults and rules. Pure.
import type { Config } from '../config/config.js';

export type RenewalPolicy = 'none' | 'free' | 'checkout';
export type CheckoutProvider = 'gumroad' | 'stripe' | 'lemonsqueezy';

export interface PortalProductConfig {
  /** none: no renew button; free: a fresh expiry at no charge; checkout: pay at the provider, whose webhook extends this license. */
  renewal?: RenewalPolicy;
  /** free: how many years a renewal adds (default 1). */
  renewYears?: number;
  /** free: offered only this many days before the end, or after it (default the largest reminder day, at least 30). */
  renewWindowDays?: number;
  /** checkout: where the buyer pays (Gumroad product URL, Stripe Payment Link, Lemon Squeezy checkout URL). */
  checkout?: { provider: CheckoutProvider; url: string };
}

export interface PortalConfig {
  enabled?: boolean;
  /** How long a sign-in link works (default 15). */
  signInMinutes?: number;
  /** How long a portal session lasts (default 60). */
  sessionMinutes?: number;
  /** Days before expiry a reminder is mailed (default [30, 7]; [] turns reminders off). */
  reminderDays?: number[];
  logoUrl?: string;
  /** A CSS colour: #rgb or #rrggbb. */
  accentColor?: string;
  /** Per product id. */
  products?: Record<string, PortalProductConfig>;
}

export interface PortalSettings {
  enabled: boolean;
  signInMs: number;
  sessionMs: number;
  reminderDays: number[];
  logoUrl: string | null;
  accentColor: string;
}

export const DEFAULT_REMINDER_DAYS = [30, 7];

export function portalSettings(config: Config): PortalSettings {
  const p = config.portal ?? {};
  return {
    enabled: p.enabled === true,
    signInMs: (p.signInMinutes ?? 15) * 60_000,
    sessionMs: (p.sessionMinutes ?? 60) * 60_000,
    reminderDays: [...(p.reminderDays ?? DEFAULT_REMINDER_DAYS)].sort((a, b) => b - a),
    logoUrl: p.logoUrl ?? null,
    accentColor: p.accentColor ?? '#2f5bd3',
  };
}

export function productPortal(config: Config, productId: string): Required<Pick<PortalProductConfig, 'renewal' | 'renewYears'>> & Pick<PortalProductConfig, 'checkout' | 'renewWindowDays'> {
  const p = config.portal?.products?.[productId] ?? {};
  return { renewal: p.renewal ?? 'none', renewYears: p.renewYears ?? 1, ...(p.checkout ? { checkout: p.checkout } : {}), ...(p.renewWindowDays ? { renewWindowDays: p.renewWindowDays } : {}) };
}

const minutes = (v: unknown, max: number) => v === undefined || (Number.isInteger(v) && (v as number) >= 1 && (v as number) <= max);

/** For validateConfig: what is wrong with `portal`, one sentence each. */
export function portalProblems(config: Config, productIds: readonly string[]): string[] {
  const p = config.portal;
  if (p === undefined) return [];
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return ['portal must be an object'];
  const problems: string[] = [];
  if (p.enabled !== undefined && typeof p.enabled !== 'boolean') problems.push('portal.enabled must be true or false');
  if (!minutes(p.signInMinutes, 24 * 60)) problems.push('portal.signInMinutes must be a whole number of minutes from 1 to 1440');
  if (!minutes(p.sessionMinutes, 7 * 24 * 60)) problems.push('portal.sessionMinutes must be a whole number of minutes from 1 to 10080');
  if (p.reminderDays !== undefined && !(Array.isArray(p.reminderDays) && p.reminderDays.every((d) => Number.isInteger(d) && d >= 1 && d <= 365))) {
    problems.push('portal.reminderDays must be a list of whole numbers of days from 1 to 365 (e.g. [30, 7]; [] for none)');
  }
  if (p.logoUrl !== undefined && !/^https:\/\/[^\s"'<>]+$/.test(String(p.logoUrl))) problems.push('portal.logoUrl must be an https:// URL');
  if (p.accentColor !== undefined && !/^#(?:[0-9a-fA-F]{3}){1,2}$/.test(String(p.accentColor))) problems.push('portal.accentColor must be #rgb or #rrggbb');
  for (const [id, product] of Object.entries(p.products ?? {})) {
    const at = `portal.products.${id}`;
    if (!productIds.includes(id)) problems.push(`${at}: no product "${id}" (the products are ${productIds.join(', ')})`);
    if (product.renewal !== undefined && !['none', 'free', 'checkout'].includes(product.renewal)) problems.push(`${at}.renewal must be none, free or checkout`);
    if (product.renewYears !== undefined && !(Number.isInteger(product.renewYears) && product.renewYears >= 1 && product.renewYears <= 100)) problems.push(`${at}.renewYears must be a whole number from 1 to 100`);
    if (product.renewWindowDays !== undefined && !(Number.isInteger(product.renewWindowDays) && product.renewWindowDays >= 1 && product.renewWindowDays <= 3650)) problems.push(`${at}.renewWindowDays must be a whole number of days from 1 to 3650`);
    if (product.renewal === 'checkout') {
      const c = product.checkout;
      if (!c || !['gumroad', 'stripe', 'lemonsqueezy'].includes(c.provider)) problems.push(`${at}.checkout.provider must be gumroad, stripe or lemonsqueezy when renewal is checkout`);
      if (!c || !/^https:\/\/[^\s"'<>]+$/.test(String(c.url))) problems.push(`${at}.checkout.url must be the https:// checkout URL when renewal is checkout`);
    }
  }
  return problems;
}
