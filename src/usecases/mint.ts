// Minting: one order, one license; one request (idempotency key), one license. Key, claims, signed blob,
// the `minted` event and (if asked) the license mail, in the caller's transaction. Works with no network.
import { UserError } from '../errors.js';
import { addYears, buildClaims } from '../license/build-claims.js';
import { EMAIL } from '../license/email-address.js';
import { generateLicenseKey } from '../license/license-key.js';
import type { LedgerEvent, MintData } from '../ledger/events.js';
import { OrderTakenError, parseOrderId } from '../ledger/order-identity.js';
import type { LicenseRow } from '../ledger/project.js';
import type { EnqueueResult } from '../mail/outbox.js';
import { eventAfter, type LicenseMail, type SigningContext } from './context.js';
import type { LedgerStore, LedgerTx, TransactionOptions } from './ledger-port.js';
import { licenseKeyForRequest } from './request-license-key.js';

export interface MintRequest {
  tier: string;
  email: string;
  name?: string;
  years?: number;
  expiresAt?: Date;
  lifetime?: boolean;
  gumroadOrderId?: string;
  /** Provider-qualified order id ("stripe:cs_123"): one order, one license. */
  orderRef?: string;
  /** Gumroad's `Order Number` (external_id_numeric): searchable, not an order identity. */
  orderNumber?: string;
  note?: string;
  seats?: number;
  features?: string[];
  updatesUntil?: Date;
  issuedAt?: Date;
}

export interface MintOptions {
  /** What to do when the order already has a license: fail (the CLI's mint) or return it (webhooks, imports, the admin API). */
  existing: 'error' | 'return';
  /** A client's key for this request (the admin API): the same key again returns the license it made. */
  idempotencyKey?: string;
  /**
   * The key this mint must use: a break-glass mint's, derived from its remote request (request-license-key.ts).
   * With an idempotency key and no licenseKey, the key is derived from it the same way.
   */
  licenseKey?: string;
  mail?: LicenseMail | null;
  /**
   * The `minted` event signed before the transaction (presignMint): remote signing takes a round trip, and a
   * SQLite write transaction must not wait on one. Used when its license key is still free, else signed anew.
   */
  presigned?: LedgerEvent;
}

export interface MintResult {
  license: LicenseRow;
  /** False when an earlier mint made it (the order's license, or the request's). */
  created: boolean;
  /** True when an earlier attempt of the same request made this license. */
  replayed: boolean;
  /** The license mail was queued, by this call or (replayed) by the request's first attempt. */
  mailQueued: boolean;
  mail: EnqueueResult | null;
  events: LedgerEvent[];
}

export { EMAIL };

export function validateMintRequest(req: MintRequest, tiers: readonly string[]): void {
  if (!tiers.includes(req.tier)) throw new UserError(`unknown tier "${req.tier}"; the tiers are ${tiers.join(', ')} (see config.json)`);
  if (!EMAIL.test(req.email)) throw new UserError(`"${req.email}" is not an email address`);
  const expiryFlags = [req.years !== undefined, req.expiresAt !== undefined, req.lifetime === true].filter(Boolean).length;
  if (expiryFlags > 1) throw new UserError('give only one of --years, --expires and --lifetime', { exitCode: 2 });
  if (req.years !== undefined && !(Number.isInteger(req.years) && req.years > 0 && req.years <= 100)) throw new UserError('--years must be a whole number from 1 to 100', { exitCode: 2 });
  if (req.seats !== undefined && !(Number.isInteger(req.seats) && req.seats > 0)) throw new UserError('--seats must be a positive whole number', { exitCode: 2 });
}

export function expiryFor(req: Pick<MintRequest, 'years' | 'expiresAt' | 'lifetime'>, issuedAt: Date, defaultYears: number | 'lifetime'): Date | null {
  if (req.lifetime) return null;
  if (req.expiresAt) {
    if (req.expiresAt.getTime() <= issuedAt.getTime()) throw new UserError(`the expiry ${req.expiresAt.toISOString().slice(0, 10)} is not after the issue date`);
    return req.expiresAt;
  }
  const years = req.years ?? defaultYears;
  return years === 'lifetime' ? null : addYears(issuedAt, years);
}

/** The request's order in canonical form: a bare --order-id X is the Gumroad order gumroad:X (order-identity.ts). */
export function orderFields(req: Pick<MintRequest, 'gumroadOrderId' | 'orderRef'>): { gumroadOrderId: string | null; orderRef: string | null } {
  if (req.orderRef) return { gumroadOrderId: req.gumroadOrderId ?? parseOrderId(req.orderRef).gumroadOrderId, orderRef: req.orderRef };
  return req.gumroadOrderId ? parseOrderId(req.gumroadOrderId) : { gumroadOrderId: null, orderRef: null };
}

export async function mintLicense(tx: LedgerTx, req: MintRequest, ctx: SigningContext, options: MintOptions): Promise<MintResult> {
  validateMintRequest(req, ctx.config.tiers); // before a key is made from the tier
  const earlier = await earlierMint(tx, req, ctx, options);
  if (earlier) return earlier;
  const presigned = options.presigned && !(await tx.getLicense(options.presigned.licenseKey)) ? options.presigned : null;
  let licenseKey = presigned?.licenseKey ?? requestedKey(req, ctx, options) ?? generateLicenseKey(ctx.config.prefix, req.tier, ctx.random);
  while (!presigned && (await tx.getLicense(licenseKey))) licenseKey = generateLicenseKey(ctx.config.prefix, req.tier, ctx.random);
  const event = presigned ?? (await prepareMint(req, licenseKey, ctx));
  await tx.applyEvents([event], { refuseOrderConflicts: true });
  const license = (await tx.getLicense(licenseKey))!;
  const message = options.mail ? options.mail(license, event) : null;
  const mail = message ? await tx.enqueueMail(message) : null;
  if (options.idempotencyKey) await tx.recordMintRequest(options.idempotencyKey, licenseKey, ctx.clock(), mail !== null);
  return { license, created: true, replayed: false, mailQueued: mail !== null, mail, events: [event] };
}

/** The license an earlier mint already made for this request or this order, if any. */
async function earlierMint(tx: LedgerTx, req: MintRequest, ctx: SigningContext, options: MintOptions): Promise<MintResult | null> {
  const found = (license: LicenseRow, replayed: boolean, mailQueued = false): MintResult => ({ license, created: false, replayed, mailQueued, mail: null, events: [] });
  if (options.idempotencyKey) {
    const first = await tx.mintedFor(options.idempotencyKey);
    const license = first ? await tx.getLicense(first.licenseKey) : null;
    if (first && license) return found(license, true, first.mailQueued);
  }
  // Already under the request's key: the CLI minted it break-glass after an answer was lost (and pushed it),
  // or a crashed break-glass mint runs again. That license is this request's.
  const requested = requestedKey(req, ctx, options);
  const pushed = requested ? await tx.getLicense(requested) : null;
  if (pushed) return found(pushed, options.idempotencyKey !== undefined);
  const order = orderFields(req);
  const holder = order.orderRef ? await tx.getByOrderRef(order.orderRef, order.gumroadOrderId) : null;
  if (!holder) return null;
  if (options.existing === 'return') return found(holder, false);
  throw new UserError(`order ${req.orderRef || req.gumroadOrderId} already has license ${holder.licenseKey}; use "license-admin show ${holder.licenseKey}"`);
}

function requestedKey(req: MintRequest, ctx: SigningContext, options: MintOptions): string | null {
  if (options.licenseKey) return options.licenseKey;
  return options.idempotencyKey ? licenseKeyForRequest(ctx.config.prefix, req.tier, options.idempotencyKey) : null;
}

/**
 * The lock a mint takes: its canonical order ref (the key webhook fulfilment of that order takes too), or
 * its idempotency key, so two attempts of one request never run side by side.
 */
export function mintLock(req: MintRequest, options: Pick<MintOptions, 'idempotencyKey'>): { lockKey?: string } {
  const { orderRef } = orderFields(req);
  if (orderRef) return { lockKey: orderRef };
  return options.idempotencyKey ? { lockKey: `mint-request:${options.idempotencyKey}` } : {};
}

/**
 * A mint in its own transaction, under its lock. A mint that lost a race for the order (its check ran before
 * another path committed it; the unique order column refused it) runs again and meets the winner.
 */
export async function mintInTransaction(store: LedgerStore, req: MintRequest, ctx: SigningContext, options: MintOptions, txOptions: TransactionOptions = {}): Promise<MintResult> {
  const presigned = options.presigned ?? (await presignMint(req, ctx, options));
  const run = () => store.transaction((tx) => mintLicense(tx, req, ctx, { ...options, presigned }), { ...mintLock(req, options), ...txOptions });
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof OrderTakenError)) throw error;
    return run();
  }
}

/**
 * Signs a mint before its transaction opens (no storage touched): the request's key or a fresh one. If the
 * transaction then finds the order already minted, this signature is simply not used.
 */
export async function presignMint(req: MintRequest, ctx: SigningContext, options: Pick<MintOptions, 'idempotencyKey' | 'licenseKey'>): Promise<LedgerEvent> {
  validateMintRequest(req, ctx.config.tiers);
  const licenseKey = requestedKey(req, ctx, { existing: 'return', ...options }) ?? generateLicenseKey(ctx.config.prefix, req.tier, ctx.random);
  return prepareMint(req, licenseKey, ctx);
}

/** The pure half of minting (no storage): claims, signed blob and the `minted` event for a chosen key. */
export async function prepareMint(req: MintRequest, licenseKey: string, ctx: SigningContext): Promise<LedgerEvent> {
  validateMintRequest(req, ctx.config.tiers);
  const issuedAt = req.issuedAt ?? ctx.clock();
  const expiresAt = expiryFor(req, issuedAt, ctx.config.defaultYears);
  const name = req.name?.trim() ?? '';
  const claims = buildClaims({
    product: ctx.config.product, licenseKey, name, email: req.email, tier: req.tier, issuedAt, expiresAt,
    ...(req.updatesUntil ? { updatesUntil: req.updatesUntil } : {}),
    ...(req.seats !== undefined ? { seats: req.seats } : {}),
    ...(req.features ? { features: req.features } : {}),
  });
  const blob = await ctx.format.encode(claims, ctx.signer);
  const data: MintData = {
    product: ctx.config.product, name, email: req.email, tier: req.tier,
    issuedAt: issuedAt.toISOString(), expiresAt: expiresAt?.toISOString() ?? null,
    updatesUntil: req.updatesUntil?.toISOString() ?? null,
    blob, kid: ctx.signer.kid, signer: ctx.signer.backend, format: ctx.format.name,
    ...orderFields(req),
    ...(req.orderNumber ? { orderNumber: req.orderNumber } : {}),
    ...(req.seats !== undefined ? { seats: req.seats } : {}),
    ...(req.features ? { features: req.features } : {}),
    ...(req.note ? { note: req.note } : {}),
  };
  // A new key has no events yet: nothing to sort after.
  return eventAfter(ctx, 'minted', licenseKey, data as unknown as Record<string, unknown>, null);
}
