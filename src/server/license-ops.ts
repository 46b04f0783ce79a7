// Mint and revoke on a server store, inside the caller's transaction: the same pure pieces as the CLI
// (prepareMint, makeEvent), applied through StoreTx so SQLite and PostgreSQL behave alike.
import { UserError } from '../errors.js';
import { entitlementClaims } from '../ledger/entitlements.js';
import type { LedgerEvent } from '../ledger/events.js';
import { OrderTakenError } from '../ledger/order-identity.js';
import type { LicenseRow } from '../ledger/project.js';
import { buildClaims } from '../license/build-claims.js';
import { generateLicenseKey, parseLicenseKey } from '../license/license-key.js';
import { makeEvent, type SigningContext } from '../licensing/context.js';
import { orderFields, prepareMint, type MintRequest } from '../licensing/mint.js';
import { licenseKeyForRequest } from '../usecases/request-license-key.js';
import type { ServerDeps } from './deps.js';
import type { ServerStore, StoreTx } from '../stores/store.js';

export type ServerSigning = Omit<SigningContext, 'ledger'>;

export interface ServerMintResult {
  license: LicenseRow;
  created: boolean;
  /** True when an earlier request with the same idempotency key made this license (a retry). */
  replayed: boolean;
  /** The license mail was queued, by this call or (replayed) by the first attempt. */
  mailQueued: boolean;
  /** The ledger events this call wrote (the CLI applies them locally right away). */
  events: LedgerEvent[];
}

export interface ServerMintOptions {
  /** A client's key for this request: the same key again returns the license it made (see admin.ts). */
  idempotencyKey?: string;
  /** How long a request may wait for a busy SQLite ledger before it is answered 503 (see store.ts). */
  busyWaitMs?: number;
}

export async function signingFor(deps: ServerDeps, actor: string): Promise<ServerSigning> {
  return { config: deps.config, format: deps.format, clock: deps.clock, random: deps.random, actor, source: 'server', signer: await deps.signer() };
}

/**
 * One order, one license: an order that already has one gets it back (created: false). Call it under the
 * order's lock (mintLock); the unique order column refuses a second license even without it (OrderTakenError).
 * With an idempotency key, a retried request gets the license its first attempt made (replayed: true).
 */
export async function mintInTx(tx: StoreTx, req: MintRequest, ctx: ServerSigning, deps: Pick<ServerDeps, 'mail'>, options: ServerMintOptions = {}): Promise<ServerMintResult> {
  const { idempotencyKey } = options;
  if (idempotencyKey) {
    const earlier = await tx.mintedFor(idempotencyKey);
    const license = earlier ? await tx.getLicense(earlier.licenseKey) : null;
    if (license) return { license, created: false, replayed: true, mailQueued: earlier!.mailQueued, events: [] };
  }
  const order = orderFields(req);
  if (order.orderRef) {
    const existing = await tx.getByOrderRef(order.orderRef, order.gumroadOrderId);
    if (existing) return { license: existing, created: false, replayed: false, mailQueued: false, events: [] };
  }
  // A request's key is derived from its idempotency key; already here means the CLI minted it break-glass
  // after an answer was lost, and pushed it: that license is this request's.
  const requested = idempotencyKey ? licenseKeyForRequest(ctx.config.prefix, req.tier, idempotencyKey) : null;
  const pushed = requested ? await tx.getLicense(requested) : null;
  if (pushed) return { license: pushed, created: false, replayed: true, mailQueued: false, events: [] };
  let licenseKey = requested ?? generateLicenseKey(ctx.config.prefix, req.tier, ctx.random);
  while (await tx.getLicense(licenseKey)) licenseKey = generateLicenseKey(ctx.config.prefix, req.tier, ctx.random);
  const event = prepareMint(req, licenseKey, ctx);
  await tx.applyEvents([event], { refuseOrderConflicts: true });
  const license = (await tx.getLicense(licenseKey))!;
  if (deps.mail) await tx.enqueueMail(deps.mail.licenseMail(license, ctx.clock()));
  const mailQueued = deps.mail !== null;
  if (idempotencyKey) await tx.recordMintRequest(idempotencyKey, licenseKey, ctx.clock(), mailQueued);
  return { license, created: true, replayed: false, mailQueued, events: [event] };
}

/**
 * The lock a mint takes: its canonical order ref (the key webhook fulfilment of that order takes too), or
 * its idempotency key, so two attempts of one request never run side by side.
 */
export function mintLock(req: MintRequest, options: ServerMintOptions = {}): { lockKey?: string } {
  const { orderRef } = orderFields(req);
  if (orderRef) return { lockKey: orderRef };
  return options.idempotencyKey ? { lockKey: `mint-request:${options.idempotencyKey}` } : {};
}

/** A mint in its own transaction under its lock; one that lost a race for the order returns the winner. */
export async function mintOrderLicense(store: ServerStore, req: MintRequest, ctx: ServerSigning, deps: Pick<ServerDeps, 'mail'>, options: ServerMintOptions = {}): Promise<ServerMintResult> {
  const run = () => store.transaction((tx) => mintInTx(tx, req, ctx, deps, options), { ...mintLock(req, options), ...(options.busyWaitMs !== undefined ? { busyWaitMs: options.busyWaitMs } : {}) });
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof OrderTakenError)) throw error;
    return run();
  }
}

export async function revokeInTx(
  tx: StoreTx,
  keyInput: string,
  reason: string | undefined,
  ctx: Pick<ServerSigning, 'clock' | 'random' | 'actor' | 'source'>,
): Promise<{ license: LicenseRow; changed: boolean; events: LedgerEvent[] }> {
  const parsed = parseLicenseKey(keyInput);
  if (!parsed.ok) throw new UserError(parsed.reason);
  const row = await tx.getLicense(parsed.value.key);
  if (!row) throw new UserError(`no license ${parsed.value.key} on this server`);
  if (row.revokedAt) return { license: row, changed: false, events: [] };
  const event = makeEvent(ctx, 'revoked', row.licenseKey, reason ? { reason } : {});
  await tx.applyEvents([event]);
  return { license: (await tx.getLicense(row.licenseKey))!, changed: true, events: [event] };
}

/** Payment-driven revoke (reason) or reinstate (null); a no-op when already in that state. */
export async function setRevokedInTx(tx: StoreTx, row: LicenseRow, reason: string | null, ctx: Pick<ServerSigning, 'clock' | 'random' | 'actor' | 'source'>): Promise<LicenseRow> {
  if ((reason !== null) === (row.revokedAt !== null)) return row;
  await tx.applyEvents([reason !== null ? makeEvent(ctx, 'revoked', row.licenseKey, { reason }) : makeEvent(ctx, 'reinstated', row.licenseKey, {})]);
  return (await tx.getLicense(row.licenseKey))!;
}

/** A fresh blob with a new expiry (subscription renewed or ending), as a `renewed` event like the CLI's renew. */
export async function changeExpiryInTx(tx: StoreTx, row: LicenseRow, expiresAtIso: string, ctx: ServerSigning): Promise<LicenseRow> {
  const now = ctx.clock();
  const expiresAt = new Date(expiresAtIso);
  const blob = ctx.format.encode(
    buildClaims({ product: row.product, licenseKey: row.licenseKey, name: row.name, email: row.email, tier: row.tier, issuedAt: now, expiresAt,
      ...(row.updatesUntil ? { updatesUntil: new Date(row.updatesUntil) } : {}), ...entitlementClaims(row) }),
    ctx.signer,
  );
  await tx.applyEvents([makeEvent(ctx, 'renewed', row.licenseKey, { expiresAt: expiresAt.toISOString(), blob, kid: ctx.signer.kid, format: ctx.format.name })]);
  return (await tx.getLicense(row.licenseKey))!;
}
