// Our own online API (docs/SERVER.md, /openapi.json): validate a license by key (+ email) or blob, activate
// a machine (answered with a signed lease), deactivate it. Off unless the product turns it on: 404.
import type { Activation } from '../../ledger/activations.js';
import type { LicenseRow } from '../../ledger/project.js';
import { FOREGROUND_BUSY_WAIT_MS } from '../../stores/store.js';
import { activateMachine, activationLimit, checkLicense, deactivateMachine, type CheckResult } from '../../usecases/activations.js';
import { verifyLicense } from '../../verify/index.js';
import { fingerprintHasher } from '../fingerprint-hash.js';
import { httpError } from '../http-error.js';
import { optionalString, parseJsonObject, requiredString } from '../json-body.js';
import { issueLease } from '../online/lease-issuer.js';
import { limitOnline } from '../online/online-limits.js';
import { onlineKey, policyFor, requireOnline } from '../online/online-license.js';
import type { RequestContext, RouteResponse, Router } from '../router.js';

const TX = { busyWaitMs: FOREGROUND_BUSY_WAIT_MS };

export function registerLicenseRoutes(router: Router): void {
  router.add('POST', '/api/v1/licenses/validate', validate);
  router.add('POST', '/api/v1/licenses/activate', activate);
  router.add('POST', '/api/v1/licenses/deactivate', deactivate);
}

const actorOf = (ctx: RequestContext) => ({ clock: ctx.deps.clock, random: ctx.deps.random, actor: 'online', source: 'server' });

function licenseJson(row: LicenseRow, activations: readonly Activation[], limit: number | null) {
  return {
    key: row.licenseKey, product: row.product, tier: row.tier, expiresAt: row.expiresAt, seats: row.seats, features: row.features,
    activations: { used: activations.length, limit },
  };
}

const activationJson = (a: Activation) => ({ id: a.id, label: a.label, activatedAt: a.activatedAt });

function refusal(status: string, message: string, requestId: string, code: number): RouteResponse {
  return { status: code, json: { status, error: { code: status, message, requestId } } };
}

async function validate(ctx: RequestContext): Promise<RouteResponse> {
  requireOnline(ctx.deps);
  const body = parseJsonObject(ctx.body);
  const blob = optionalString(body, 'blob', 65_536);
  const keyInput = blob === undefined ? requiredString(body, 'key', 128) : null;
  await limitOnline(ctx, keyInput);
  const email = optionalString(body, 'email', 320);
  const fingerprint = optionalString(body, 'fingerprint', 512);
  let input = keyInput;
  let signature: { valid: boolean; reason?: string } | null = null;
  if (blob !== undefined) {
    const checked = await verifyLicense(blob, { keys: await ctx.deps.publicKeys(), ...(ctx.deps.config.blobTag ? { tag: ctx.deps.config.blobTag } : {}), now: ctx.deps.clock() });
    signature = checked.valid ? { valid: true } : { valid: false, reason: checked.reason };
    if (!checked.valid && !checked.license) return { status: 200, json: { status: 'invalid', valid: false, reason: checked.reason, license: null, activation: null } };
    input = checked.license!.key;
  }
  const key = onlineKey(ctx.deps, input!);
  const hash = fingerprint !== undefined ? (await fingerprintHasher(ctx.deps))(fingerprint) : undefined;
  const result: CheckResult = key.ok
    ? await ctx.deps.store.transaction((tx) => checkLicense(tx, { licenseKey: key.licenseKey, ...(email !== undefined ? { email } : {}), ...(hash ? { fingerprintHash: hash } : {}) }, ctx.deps.clock()), TX)
    : { status: key.status === 'invalid_key' ? 'unknown' : key.status, license: null, activation: null, activations: [] };
  if (!key.ok && key.status === 'invalid_key') return { status: 200, json: { status: 'invalid_key', valid: false, detail: key.detail, license: null, activation: null } };
  let status: string = result.status;
  if (signature && !signature.valid && status === 'valid') status = 'invalid';
  const row = result.license;
  const policy = row ? policyFor(ctx.deps, row.product, row.tier) : null;
  return {
    status: 200,
    json: {
      status, valid: status === 'valid',
      ...(signature && !signature.valid ? { reason: signature.reason } : {}),
      license: row ? licenseJson(row, result.activations, policy ? activationLimit(row, policy) : null) : null,
      activation: result.activation ? activationJson(result.activation) : null,
    },
  };
}

async function activate(ctx: RequestContext): Promise<RouteResponse> {
  requireOnline(ctx.deps);
  const body = parseJsonObject(ctx.body);
  const keyInput = requiredString(body, 'key', 128);
  const fingerprint = requiredString(body, 'fingerprint', 512);
  const label = optionalString(body, 'label', 200) ?? '';
  await limitOnline(ctx, keyInput);
  const key = onlineKey(ctx.deps, keyInput);
  if (!key.ok) return refusal(key.status, key.status === 'invalid_key' ? key.detail : 'no such license', ctx.requestId, key.status === 'invalid_key' ? 400 : 404);
  const fingerprintHash = (await fingerprintHasher(ctx.deps))(fingerprint);
  const result = await ctx.deps.store.transaction((tx) => activateMachine(tx, { licenseKey: key.licenseKey, fingerprintHash, label }, key.policy, actorOf(ctx)), TX);
  if (result.status !== 'activated') {
    const messages = { unknown: 'no such license', revoked: 'this license has been revoked', expired: 'this license has expired', too_many_machines: `this license is active on ${result.activations.length} of ${result.limit} machines; deactivate one first` };
    return refusal(result.status, messages[result.status], ctx.requestId, result.status === 'unknown' ? 404 : result.status === 'too_many_machines' ? 409 : 403);
  }
  ctx.log.info('activated', { licenseKey: result.license.licenseKey, created: result.created, replaced: result.replaced.length });
  const lease = await issueLease(ctx.deps, result.license, result.activation, fingerprint, key.policy.leaseDays);
  return {
    status: result.created ? 201 : 200,
    json: {
      status: 'activated', created: result.created, activation: activationJson(result.activation), replaced: result.replaced.map((a) => a.id),
      lease: lease.lease, leaseExpiresAt: lease.expiresAt, license: licenseJson(result.license, result.activations, result.limit),
    },
  };
}

async function deactivate(ctx: RequestContext): Promise<RouteResponse> {
  requireOnline(ctx.deps);
  const body = parseJsonObject(ctx.body);
  const keyInput = requiredString(body, 'key', 128);
  const activationId = optionalString(body, 'activationId', 128);
  const fingerprint = optionalString(body, 'fingerprint', 512);
  if (activationId === undefined && fingerprint === undefined) throw httpError(400, 'missing_field', '"activationId" or "fingerprint" is required');
  await limitOnline(ctx, keyInput);
  const key = onlineKey(ctx.deps, keyInput);
  if (!key.ok) return refusal(key.status, key.status === 'invalid_key' ? key.detail : 'no such license', ctx.requestId, key.status === 'invalid_key' ? 400 : 404);
  const hash = fingerprint !== undefined ? (await fingerprintHasher(ctx.deps))(fingerprint) : undefined;
  const result = await ctx.deps.store.transaction(async (tx) => {
    let id = activationId;
    if (id === undefined) id = (await checkLicense(tx, { licenseKey: key.licenseKey, fingerprintHash: hash! }, ctx.deps.clock())).activation?.id ?? 'none';
    return deactivateMachine(tx, key.licenseKey, id, actorOf(ctx));
  }, TX);
  if (result.status !== 'deactivated') return refusal(result.status, result.status === 'unknown' ? 'no such license' : 'no such activation of this license', ctx.requestId, 404);
  ctx.log.info('deactivated', { licenseKey: result.license.licenseKey });
  return { status: 200, json: { status: 'deactivated', activation: activationJson(result.activation), license: licenseJson(result.license, result.activations, null) } };
}
