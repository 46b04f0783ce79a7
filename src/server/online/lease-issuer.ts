// Signs a lease for an activation with the product's own key (the server's signing seam).
import { leaseClaims, signLease } from '../../license/lease.js';
import type { Activation } from '../../ledger/activations.js';
import type { LicenseRow } from '../../ledger/project.js';
import type { ServerDeps } from '../deps.js';
import { signingFor } from '../signing-context.js';

export async function issueLease(deps: ServerDeps, license: LicenseRow, activation: Activation, fingerprint: string, days: number): Promise<{ lease: string; expiresAt: string }> {
  const { signer } = await signingFor(deps, 'online', license.product);
  const claims = leaseClaims({ product: license.product, licenseKey: license.licenseKey, activationId: activation.id, fingerprint, now: deps.clock(), days, licenseExpiresAt: license.expiresAt });
  return { lease: await signLease(claims, signer), expiresAt: new Date(claims.exp * 1000).toISOString() };
}
