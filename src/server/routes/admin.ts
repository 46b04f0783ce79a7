// The admin API the creator's CLI calls (seed 002): enroll an admin key, mint, revoke.
import { UserError } from '../../errors.js';
import { SignerError } from '../../license/signer.js';
import { toView } from '../../ledger/license-view.js';
import type { LicenseRow } from '../../ledger/project.js';
import { mintInTransaction, type MintRequest } from '../../usecases/mint.js';
import { revokeLicense } from '../../usecases/revoke.js';
import { ENROLL_TOKEN_ENV, parseAdminPublicKey, requireAdmin, secretMatches } from '../admin-auth.js';
import { httpError } from '../http-error.js';
import { optionalBoolean, optionalDate, optionalInteger, optionalString, optionalStringList, parseJsonObject, requiredString } from '../json-body.js';
import { signingFor } from '../signing-context.js';
import { productIds } from '../../config/products.js';
import type { Router } from '../router.js';
import { FOREGROUND_BUSY_WAIT_MS } from '../../stores/store.js';

export function registerAdminRoutes(router: Router): void {
  router.add('POST', '/internal/enroll', async (ctx) => {
    const expected = ctx.deps.env[ENROLL_TOKEN_ENV];
    if (!expected) throw httpError(404, 'enroll_disabled', `enrolment is off: the server has no ${ENROLL_TOKEN_ENV}`);
    const header = ctx.req.headers.authorization;
    const presented = header?.startsWith('Bearer ') ? header.slice(7).trim() : null;
    if (!secretMatches(presented, expected)) {
      ctx.log.warn('enroll rejected');
      throw httpError(401, 'unauthorized', 'wrong or missing enrolment token');
    }
    const body = parseJsonObject(ctx.body);
    const key = parseAdminPublicKey(requiredString(body, 'publicKey', 100));
    if (!key) throw httpError(400, 'invalid_field', '"publicKey" must be a base64url raw Ed25519 public key (32 bytes)');
    const { created } = await ctx.deps.store.addAdminKey(key.x, key.kid, optionalString(body, 'label', 200) ?? null, ctx.deps.clock());
    ctx.log.info('admin key enrolled', { kid: key.kid, created });
    return { status: created ? 201 : 200, json: { kid: key.kid, created } };
  });

  router.add('POST', '/internal/mint', async (ctx) => {
    const { kid } = await requireAdmin(ctx);
    const body = parseJsonObject(ctx.body);
    const req = mintRequestFrom(body);
    const idempotencyKey = optionalIdempotencyKey(body);
    // send: true  -> the server mails the license (refused before minting when it has no SMTP);
    // send: false -> it does not (the CLI mails it itself); absent -> it mails when it can (older CLIs).
    const send = optionalBoolean(body, 'send');
    if (send === true && !ctx.deps.mail) throw httpError(422, 'mail_unavailable', 'this server has no SMTP configured, so it cannot mail the license; nothing was minted');
    const sender = send === false ? null : ctx.deps.mail;
    const product = optionalString(body, 'product', 64);
    if (product !== undefined && !productIds(ctx.deps.config).includes(product)) {
      throw httpError(422, 'invalid_field', `"product": this server sells ${productIds(ctx.deps.config).join(', ')}, not "${product}"`);
    }
    const signing = await signingFor(ctx.deps, `admin:${kid}`, product);
    const mail = sender ? (license: LicenseRow) => sender.licenseMail(license, signing.clock()) : null;
    const result = await asHttp(() =>
      mintInTransaction(ctx.deps.store, req, signing, { existing: 'return', mail, ...(idempotencyKey ? { idempotencyKey } : {}) }, { busyWaitMs: FOREGROUND_BUSY_WAIT_MS }));
    if (result.created) ctx.deps.wake?.();
    ctx.log.info('minted', { licenseKey: result.license.licenseKey, created: result.created, replayed: result.replayed, via: 'admin' });
    return {
      status: result.created ? 201 : 200,
      json: { license: toView(result.license, ctx.deps.clock()), created: result.created, replayed: result.replayed, mailQueued: result.mailQueued, events: result.events },
    };
  });

  router.add('POST', '/internal/revoke', async (ctx) => {
    const { kid } = await requireAdmin(ctx);
    const body = parseJsonObject(ctx.body);
    const key = requiredString(body, 'licenseKey', 128);
    const reason = optionalString(body, 'reason');
    const actor = { clock: ctx.deps.clock, random: ctx.deps.random, actor: `admin:${kid}`, source: 'server' };
    const result = await asHttp(() => ctx.deps.store.transaction((tx) => revokeLicense(tx, key, reason, actor), { busyWaitMs: FOREGROUND_BUSY_WAIT_MS }));
    ctx.log.info('revoke', { licenseKey: result.license.licenseKey, changed: result.changed });
    return { status: 200, json: { license: toView(result.license, ctx.deps.clock()), changed: result.changed, events: result.events } };
  });
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{16,128}$/;

function optionalIdempotencyKey(body: Record<string, unknown>): string | undefined {
  const key = optionalString(body, 'idempotencyKey');
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) throw httpError(400, 'invalid_field', '"idempotencyKey" must be 16-128 letters, digits, "-" or "_"');
  return key;
}

function mintRequestFrom(body: Record<string, unknown>): MintRequest {
  const years = optionalInteger(body, 'years', 1, 100);
  const expiresAt = optionalDate(body, 'expiresAt');
  const lifetime = optionalBoolean(body, 'lifetime');
  const name = optionalString(body, 'name', 500);
  const orderId = optionalString(body, 'orderId', 200);
  const note = optionalString(body, 'note', 10_000);
  const seats = optionalInteger(body, 'seats', 1, 1_000_000);
  const features = optionalStringList(body, 'features');
  const updatesUntil = optionalDate(body, 'updatesUntil');
  return {
    tier: requiredString(body, 'tier', 64).toLowerCase(),
    email: requiredString(body, 'email', 320).trim(),
    ...(name !== undefined ? { name } : {}),
    ...(years !== undefined ? { years } : {}),
    ...(expiresAt ? { expiresAt } : {}),
    ...(lifetime ? { lifetime } : {}),
    ...(orderId ? { gumroadOrderId: orderId } : {}),
    ...(note ? { note } : {}),
    ...(seats !== undefined ? { seats } : {}),
    ...(features ? { features } : {}),
    ...(updatesUntil ? { updatesUntil } : {}),
  };
}

/** A UserError from the use cases (unknown tier, bad email, no such key) is the caller's fault. */
async function asHttp<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    // The signer is down or refused: nothing was signed or written, and the same request may be repeated.
    if (error instanceof SignerError) throw httpError(503, 'signer_unavailable', error.message, { 'retry-after': '5' });
    if (error instanceof UserError) throw httpError(error.message.startsWith('no license') ? 404 : 422, 'invalid_request', error.message);
    throw error;
  }
}
