// Apply: every write of one run in ONE transaction (the caller's). A crash or a kill before COMMIT leaves
// the ledger exactly as it was; re-running then redoes it all.
import type { EnqueueResult } from '../mail/outbox.js';
import type { LicenseMail, SigningContext, UseCaseContext } from '../usecases/context.js';
import type { LedgerTx } from '../usecases/ledger-port.js';
import { mapBounded, signingConcurrency } from '../usecases/bounded-map.js';
import { mintLicense, presignMint, type MintRequest } from '../usecases/mint.js';
import { settlePaymentRevocation } from '../usecases/revoke.js';
import { deterministicEventId } from './import-events.js';
import type { ImportPlan } from './plan.js';

export interface ApplyOptions {
  mintMissing: boolean;
  revokeRefunded: boolean;
  /** The mail of each license minted, queued in the same transaction (null: none for that one). */
  mail?: LicenseMail;
  onMailQueued?: (queued: EnqueueResult) => void;
  onProgress?: (done: number, total: number) => void;
}

export interface ApplyResult {
  eventsWritten: number;
  minted: { purchaseId: string; licenseKey: string; email: string; tier: string; expiresAt: string | null }[];
  revoked: { purchaseId: string; licenseKey: string }[];
}

const CHUNK = 2_000;

/** `signing` is only needed (and only asked for) when there are licenses to mint. */
export async function applyPlan(tx: LedgerTx, plan: ImportPlan, ctx: UseCaseContext | SigningContext, options: ApplyOptions): Promise<ApplyResult> {
  const result: ApplyResult = { eventsWritten: 0, minted: [], revoked: [] };
  const toMint = options.mintMissing ? plan.sales.missing : [];
  const toRevoke = options.revokeRefunded ? plan.sales.refundedActive : [];
  const total = plan.events.length + toMint.length + toRevoke.length;
  if (toMint.length && !('signer' in ctx)) throw new Error('applyPlan: minting needs a signing context');
  for (let i = 0; i < plan.events.length; i += CHUNK) {
    result.eventsWritten += (await tx.applyEvents(plan.events.slice(i, i + CHUNK))).inserted;
    options.onProgress?.(Math.min(i + CHUNK, plan.events.length), total);
  }
  // The plan worked out the expiry (duration from the purchase or from now, capped at a subscription's end).
  const requests: MintRequest[] = toMint.map((sale) => ({
    tier: sale.tier, email: sale.email, ...(sale.name ? { name: sale.name } : {}), gumroadOrderId: sale.purchaseId,
    ...(sale.orderNumber ? { orderNumber: sale.orderNumber } : {}), issuedAt: new Date(sale.purchasedAt),
    ...(sale.expiresAt === null ? { lifetime: true } : { expiresAt: new Date(sale.expiresAt) }),
  }));
  const signing = ctx as SigningContext;
  // Signed several at a time when the signer is remote (one round trip each), then written in order.
  const presigned = toMint.length ? await mapBounded(requests, signingConcurrency(signing.signer.backend), (req) => presignMint(req, signing, {})) : [];
  await tx.bulkWrites(async () => {
    for (const [i, sale] of toMint.entries()) {
      const { license, created, mail } = await mintLicense(tx, requests[i]!, signing, { existing: 'return', mail: options.mail ?? null, presigned: presigned[i]! });
      if (mail) options.onMailQueued?.(mail);
      if (created) {
        result.eventsWritten++;
        result.minted.push({ purchaseId: sale.purchaseId, licenseKey: license.licenseKey, email: license.email, tier: license.tier, expiresAt: license.expiresAt });
      }
    }
  });
  for (const sale of toRevoke) {
    if (!(await tx.getLicense(sale.licenseKey))) continue;
    // Same refund, same event id on every machine that reconciles this export.
    const refund = { reason: 'gumroad refund', detail: { purchaseId: sale.purchaseId }, eventId: (e: { data: Record<string, unknown> }) => deterministicEventId(sale.licenseKey, 'revoked', sale.purchaseId, e.data) };
    const { changed, events, license } = await settlePaymentRevocation(tx, sale.licenseKey, refund, ctx);
    if (!changed) continue;
    // A refund event already in the ledger (the license reinstated since) is not written again.
    if (license.revokedAt) result.eventsWritten += events.length;
    result.revoked.push({ purchaseId: sale.purchaseId, licenseKey: sale.licenseKey });
  }
  options.onProgress?.(total, total);
  return result;
}
