// Apply: every write of one run in ONE transaction. A crash or a kill before COMMIT leaves the ledger
// exactly as it was; re-running then redoes it all.
import { makeEvent, type OpsContext, type SigningContext } from '../licensing/context.js';
import type { LicenseRow } from '../ledger/project.js';
import { mintLicense } from '../licensing/mint.js';
import { deterministicEventId } from './import-events.js';
import type { ImportPlan } from './plan.js';

export interface ApplyOptions {
  mintMissing: boolean;
  revokeRefunded: boolean;
  /** Runs inside the transaction for each license minted (e.g. to queue its mail in the outbox). */
  onMinted?: (license: LicenseRow) => void;
  onProgress?: (done: number, total: number) => void;
}

export interface ApplyResult {
  eventsWritten: number;
  minted: { purchaseId: string; licenseKey: string; email: string; tier: string; expiresAt: string | null }[];
  revoked: { purchaseId: string; licenseKey: string }[];
}

const CHUNK = 2_000;

/** `signing` is only needed (and only asked for) when there are licenses to mint. */
export function applyPlan(plan: ImportPlan, ctx: OpsContext | SigningContext, options: ApplyOptions): ApplyResult {
  const result: ApplyResult = { eventsWritten: 0, minted: [], revoked: [] };
  const { ledger } = ctx;
  const toMint = options.mintMissing ? plan.sales.missing : [];
  const toRevoke = options.revokeRefunded ? plan.sales.refundedActive : [];
  const total = plan.events.length + toMint.length + toRevoke.length;
  if (toMint.length && !('signer' in ctx)) throw new Error('applyPlan: minting needs a signing context');
  ledger.transaction(() => {
    for (let i = 0; i < plan.events.length; i += CHUNK) {
      result.eventsWritten += ledger.applyEventsInTransaction(plan.events.slice(i, i + CHUNK)).inserted;
      options.onProgress?.(Math.min(i + CHUNK, plan.events.length), total);
    }
    for (const sale of toMint) {
      // The plan worked out the expiry (duration from the purchase or from now, capped at a subscription's end).
      const { license, created } = mintLicense(
        { tier: sale.tier, email: sale.email, ...(sale.name ? { name: sale.name } : {}), gumroadOrderId: sale.purchaseId,
          ...(sale.orderNumber ? { orderNumber: sale.orderNumber } : {}), issuedAt: new Date(sale.purchasedAt),
          ...(sale.expiresAt === null ? { lifetime: true } : { expiresAt: new Date(sale.expiresAt) }) },
        ctx as SigningContext,
        { existing: 'return', ...(options.onMinted ? { inTransaction: options.onMinted } : {}) },
      );
      if (created) {
        result.eventsWritten++;
        result.minted.push({ purchaseId: sale.purchaseId, licenseKey: license.licenseKey, email: license.email, tier: license.tier, expiresAt: license.expiresAt });
      }
    }
    for (const sale of toRevoke) {
      const current = ledger.getLicense(sale.licenseKey);
      if (!current || current.revokedAt) continue;
      const data = { reason: 'gumroad refund', purchaseId: sale.purchaseId };
      // Same refund, same event id on every machine that reconciles this export.
      const event = { ...makeEvent(ctx, 'revoked', sale.licenseKey, data), id: deterministicEventId(sale.licenseKey, 'revoked', sale.purchaseId, data) };
      result.eventsWritten += ledger.applyEventsInTransaction([event]).inserted;
      result.revoked.push({ purchaseId: sale.purchaseId, licenseKey: sale.licenseKey });
    }
    options.onProgress?.(total, total);
  });
  return result;
}
