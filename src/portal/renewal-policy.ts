// When the portal offers "Renew" (pure): the product's policy says how, and the license must be one that
// ends (not lifetime, not revoked). A free renewal is offered only within renewWindowDays of the end (or
// after it), so a buyer cannot stack years by pressing the button again.
import type { Config } from '../config/config.js';
import type { LicenseRow } from '../ledger/project.js';
import { portalSettings, type PortalProductConfig } from './portal-settings.js';

const DAY_MS = 86_400_000;

export function renewWindowDays(config: Config, policy: Pick<PortalProductConfig, 'renewWindowDays'>): number {
  return policy.renewWindowDays ?? Math.max(30, ...portalSettings(config).reminderDays);
}

export function renewalOffered(row: LicenseRow, policy: PortalProductConfig, config: Config, now: Date): boolean {
  if (!policy.renewal || policy.renewal === 'none' || row.revokedAt || !row.expiresAt) return false;
  if (policy.renewal === 'checkout') return true;
  return Date.parse(row.expiresAt) - now.getTime() <= renewWindowDays(config, policy) * DAY_MS;
}
