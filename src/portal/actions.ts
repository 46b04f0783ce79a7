// What a signed-in buyer can do, each through the same use case the CLI uses: re-delivery (resend) and
// renewal (renew). The caller has already checked that the license is the session's own.
import { UserError } from '../errors.js';
import { newEventId } from '../ledger/events.js';
import type { LicenseRow } from '../ledger/project.js';
import type { ServerDeps } from '../server/deps.js';
import { signingFor } from '../server/signing-context.js';
import { FOREGROUND_BUSY_WAIT_MS } from '../stores/store.js';
import { renewLicense } from '../usecases/renew.js';
import { resendLicenses } from '../usecases/resend.js';
import { checkoutUrl } from './checkout-url.js';
import { productPortal } from './portal-settings.js';
import { renewalOffered } from './renewal-policy.js';

export const PORTAL_ACTOR = 'portal';

/** "Email it to me": the resend use case (every active license of that person in one mail), marked as from the portal. */
export async function emailLicenses(deps: ServerDeps, license: LicenseRow): Promise<void> {
  const sender = deps.mail;
  if (!sender?.licensesMail) throw new UserError('mail is not set up on this server');
  const now = deps.clock();
  await deps.store.transaction(
    (tx) => resendLicenses(tx, license.licenseKey, now, (licenses) => sender.licensesMail!(licenses, now, `resend:${newEventId(now, deps.random)}`, PORTAL_ACTOR)),
    { busyWaitMs: FOREGROUND_BUSY_WAIT_MS },
  );
  deps.wake?.();
}

export type RenewOutcome = { kind: 'renewed'; expiresAt: string | null } | { kind: 'checkout'; url: string };

/** "Renew": free re-signs with a fresh expiry (the renew use case); checkout sends the buyer to pay. */
export async function renewFromPortal(deps: ServerDeps, license: LicenseRow): Promise<RenewOutcome> {
  const policy = productPortal(deps.config, license.product);
  if (!renewalOffered(license, policy, deps.config, deps.clock())) throw new UserError(`${license.licenseKey} cannot be renewed here`);
  if (policy.renewal === 'checkout') return { kind: 'checkout', url: checkoutUrl(policy.checkout!, license.licenseKey) };
  const signing = await signingFor(deps, PORTAL_ACTOR, license.product);
  const sender = deps.mail;
  const mail = sender ? (row: LicenseRow) => sender.licenseMail(row, signing.clock(), { kind: 'renewed', idempotencyKey: `portal-renew:${newEventId(signing.clock(), deps.random)}` }) : null;
  const result = await deps.store.transaction((tx) => renewLicense(tx, license.licenseKey, { years: policy.renewYears }, signing, mail), { lockKey: license.orderRef ?? `license:${license.licenseKey}`, busyWaitMs: FOREGROUND_BUSY_WAIT_MS });
  deps.wake?.();
  return { kind: 'renewed', expiresAt: result.license.expiresAt };
}
