// Minting: key, claims, blob and the ledger row + event in one transaction. Works with no network.
import { UserError } from '../errors.js';
import { addYears, buildClaims } from '../license/build-claims.js';
import { EMAIL } from '../license/email-address.js';
import { generateLicenseKey } from '../license/license-key.js';
import type { LedgerEvent, MintData } from '../ledger/events.js';
import { parseOrderId } from '../ledger/order-identity.js';
import type { LicenseRow } from '../ledger/project.js';
import { makeEvent, type SigningContext } from './context.js';

export { EMAIL };

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

export interface MintResult {
  license: LicenseRow;
  /** False when the order already had a license and `existing: 'return'` handed that one back. */
  created: boolean;
}

export interface MintOptions {
  /** What to do when the order id already has a license: fail (CLI) or return it (webhooks, retries). */
  existing?: 'error' | 'return';
  /** Runs inside the mint transaction, e.g. to queue the license mail in the outbox. */
  inTransaction?: (license: LicenseRow) => void;
  /**
   * The key a break-glass mint must use (derived from its remote request, see request-license-key.ts);
   * a license already under it is that same request's, returned as is (created: false).
   */
  licenseKey?: string;
}


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

export function mintLicense(req: MintRequest, ctx: SigningContext, options: MintOptions = {}): MintResult {
  validateMintRequest(req, ctx.config.tiers); // before a key is made from the tier
  const already = options.licenseKey ? ctx.ledger.getLicense(options.licenseKey) : null;
  if (already) return { license: already, created: false };
  let licenseKey = options.licenseKey ?? generateLicenseKey(ctx.config.prefix, req.tier, ctx.random);
  while (ctx.ledger.getLicense(licenseKey)) licenseKey = generateLicenseKey(ctx.config.prefix, req.tier, ctx.random);
  const event = prepareMint(req, licenseKey, ctx);
  return ctx.ledger.transaction(() => {
    // getByOrderId matches both order columns, so each distinct id is looked up once.
    const orderIds = [...new Set([req.orderRef, req.gumroadOrderId].filter((id): id is string => Boolean(id)))];
    const orderId = orderIds[0];
    const existing = orderIds.map((id) => ctx.ledger.getByOrderId(id)).find((row) => row !== null) ?? null;
    if (existing) {
      if (options.existing === 'return') return { license: existing, created: false };
      throw new UserError(`order ${orderId} already has license ${existing.licenseKey}; use "license-admin show ${existing.licenseKey}"`);
    }
    ctx.ledger.applyEventsInTransaction([event], { refuseOrderConflicts: true });
    const license = ctx.ledger.getLicense(licenseKey)!;
    options.inTransaction?.(license);
    return { license, created: true };
  });
}

/** The request's order in canonical form: a bare --order-id X is the Gumroad order gumroad:X (order-identity.ts). */
export function orderFields(req: Pick<MintRequest, 'gumroadOrderId' | 'orderRef'>): { gumroadOrderId: string | null; orderRef: string | null } {
  if (req.orderRef) return { gumroadOrderId: req.gumroadOrderId ?? parseOrderId(req.orderRef).gumroadOrderId, orderRef: req.orderRef };
  return req.gumroadOrderId ? parseOrderId(req.gumroadOrderId) : { gumroadOrderId: null, orderRef: null };
}

/**
 * The pure half of minting (no storage): claims, signed blob and the `minted` event for a key the
 * caller chose. The server applies the event to its own (async) store.
 */
export function prepareMint(req: MintRequest, licenseKey: string, ctx: Omit<SigningContext, 'ledger'>): LedgerEvent {
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
  const blob = ctx.format.encode(claims, ctx.signer);
  const data: MintData = {
    product: ctx.config.product, name, email: req.email, tier: req.tier,
    issuedAt: issuedAt.toISOString(), expiresAt: expiresAt?.toISOString() ?? null,
    updatesUntil: req.updatesUntil?.toISOString() ?? null,
    blob, kid: ctx.signer.kid, format: ctx.format.name,
    ...orderFields(req),
    ...(req.orderNumber ? { orderNumber: req.orderNumber } : {}),
    ...(req.seats !== undefined ? { seats: req.seats } : {}),
    ...(req.features ? { features: req.features } : {}),
    ...(req.note ? { note: req.note } : {}),
  };
  return makeEvent(ctx, 'minted', licenseKey, data as unknown as Record<string, unknown>);
}
