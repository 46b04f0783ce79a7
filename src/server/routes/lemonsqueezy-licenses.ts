// Lemon Squeezy's License API, answered by this server, so an app coded against it moves here by changing its
// base URL. Shapes, status codes and error strings follow lmsqueezy/lemonsqueezy.js src/license/types.ts and
// docs.lemonsqueezy.com/api/license-api (activate, validate, deactivate); see test/compat-lemonsqueezy.test.ts.
import { randomUUID } from 'node:crypto';
import type { Activation } from '../../ledger/activations.js';
import type { LicenseRow } from '../../ledger/project.js';
import { FOREGROUND_BUSY_WAIT_MS } from '../../stores/store.js';
import { activateMachine, activationLimit, checkLicense, deactivateMachine, standingOf } from '../../usecases/activations.js';
import { fingerprintHasher } from '../fingerprint-hash.js';
import { compatFields, numericId } from '../online/compat-body.js';
import { limitOnline } from '../online/online-limits.js';
import { onlineKey, requireOnline, type OnlineKey } from '../online/online-license.js';
import type { RequestContext, RouteResponse, Router } from '../router.js';

const TX = { busyWaitMs: FOREGROUND_BUSY_WAIT_MS };
type Verb = 'activated' | 'valid' | 'deactivated';
type Found = Extract<OnlineKey, { ok: true }>;

export function registerLemonSqueezyLicenseRoutes(router: Router): void {
  router.add('POST', '/v1/licenses/activate', activate);
  router.add('POST', '/v1/licenses/validate', validate);
  router.add('POST', '/v1/licenses/deactivate', deactivate);
}

/** Laravel's timestamps as Lemon Squeezy prints them: microseconds, Z. */
const lsTime = (iso: string | null) => (iso === null ? null : `${iso.slice(0, 19)}.${(iso.slice(20, 23) || '000').padEnd(6, '0')}Z`);

function licenseKeyJson(row: LicenseRow, activations: readonly Activation[], limit: number, now: Date) {
  const standing = standingOf(row, now);
  const status = standing === 'revoked' ? 'disabled' : standing === 'expired' ? 'expired' : activations.length > 0 ? 'active' : 'inactive';
  return {
    id: numericId(`license:${row.licenseKey}`), status, key: row.licenseKey, activation_limit: limit, activation_usage: activations.length,
    created_at: lsTime(row.issuedAt), expires_at: lsTime(row.expiresAt), test_mode: false,
  };
}

function metaJson(row: LicenseRow, key: Found) {
  const ls = key.view.online?.lemonSqueezy ?? {};
  const order = row.orderRef?.startsWith('lemonsqueezy:') && /^\d+$/.test(row.orderRef.slice(13)) ? Number(row.orderRef.slice(13)) : numericId(`order:${row.orderRef ?? row.licenseKey}`);
  return {
    store_id: ls.storeId ?? 0, order_id: order, order_item_id: numericId(`order-item:${row.orderRef ?? row.licenseKey}`), product_id: ls.productId ?? 0,
    product_name: ls.productName ?? key.view.productName, variant_id: ls.variantId ?? 0, variant_name: ls.variantName ?? row.tier,
    customer_id: numericId(`customer:${row.email.toLowerCase()}`), customer_name: row.name, customer_email: row.email,
  };
}

const instanceJson = (a: Activation) => ({ id: a.id, name: a.label, created_at: lsTime(a.activatedAt) });

function reply(status: number, verb: Verb, error: string | null, rest: Record<string, unknown>): RouteResponse {
  return { status, json: { [verb]: error === null, error, ...rest } };
}

const notFound = (verb: Verb) => reply(404, verb, 'license_key not found.', { license_key: null, ...(verb === 'deactivated' ? {} : { instance: null }), meta: null });

/** Laravel's 422 for a missing or non-string field ("The license key field is required."). */
function field(fields: Record<string, unknown>, name: string, verb: Verb, required: boolean): string | RouteResponse | undefined {
  const v = fields[name];
  const label = name.replace(/_/g, ' ');
  if (v === undefined || v === null || v === '') return required ? reply(422, verb, `The ${label} field is required.`, {}) : undefined;
  if (typeof v !== 'string' || v.length > 512) return reply(422, verb, `The ${label} must be a string.`, {});
  return v;
}

async function read(ctx: RequestContext, verb: Verb, names: [string, boolean][]): Promise<{ values: (string | undefined)[] } | RouteResponse> {
  const fields = compatFields(ctx.body, ctx.req.headers['content-type']);
  await limitOnline(ctx, fields.license_key);
  const values: (string | undefined)[] = [];
  for (const [name, required] of names) {
    const v = field(fields, name, verb, required);
    if (v !== undefined && typeof v !== 'string') return v;
    values.push(v);
  }
  return { values };
}

async function activate(ctx: RequestContext): Promise<RouteResponse> {
  requireOnline(ctx.deps);
  const input = await read(ctx, 'activated', [['license_key', true], ['instance_name', true]]);
  if ('status' in input) return input;
  const [licenseKey, name] = input.values as [string, string];
  const key = onlineKey(ctx.deps, licenseKey);
  if (!key.ok) return notFound('activated');
  // Lemon Squeezy makes a new instance on every activate: each one is its own "machine".
  const fingerprintHash = (await fingerprintHasher(ctx.deps))(`lemonsqueezy-instance:${randomUUID()}`);
  const actor = { clock: ctx.deps.clock, random: ctx.deps.random, actor: 'online:lemonsqueezy', source: 'server' };
  const result = await ctx.deps.store.transaction((tx) => activateMachine(tx, { licenseKey: key.licenseKey, fingerprintHash, label: name }, { ...key.policy, onLimit: 'refuse' }, actor), TX);
  const now = ctx.deps.clock();
  if (!result.license || result.status === 'unknown') return notFound('activated');
  const limit = result.limit ?? activationLimit(result.license, key.policy);
  const body = { license_key: licenseKeyJson(result.license, result.activations, limit, now), instance: null, meta: metaJson(result.license, key) };
  if (result.status === 'revoked') return reply(400, 'activated', 'This license key is disabled.', body);
  if (result.status === 'expired') return reply(400, 'activated', 'This license key is expired.', body);
  if (result.status !== 'activated') return reply(400, 'activated', 'This license key has reached the activation limit.', body);
  return reply(200, 'activated', null, { ...body, instance: instanceJson(result.activation) });
}

async function validate(ctx: RequestContext): Promise<RouteResponse> {
  requireOnline(ctx.deps);
  const input = await read(ctx, 'valid', [['license_key', true], ['instance_id', false]]);
  if ('status' in input) return input;
  const [licenseKey, instanceId] = input.values as [string, string | undefined];
  const key = onlineKey(ctx.deps, licenseKey);
  if (!key.ok) return notFound('valid');
  const now = ctx.deps.clock();
  const result = await ctx.deps.store.transaction((tx) => checkLicense(tx, { licenseKey: key.licenseKey }, now), TX);
  if (!result.license) return notFound('valid');
  const row = result.license;
  const body = { license_key: licenseKeyJson(row, result.activations, activationLimit(row, key.policy), now), instance: null, meta: metaJson(row, key) };
  const instance = instanceId === undefined ? null : result.activations.find((a) => a.id === instanceId);
  if (instance === undefined) return reply(404, 'valid', 'license_key instance not found.', body);
  if (result.status !== 'valid') return reply(400, 'valid', `This license key is ${body.license_key.status}.`, body);
  return reply(200, 'valid', null, { ...body, instance: instance ? instanceJson(instance) : null });
}

async function deactivate(ctx: RequestContext): Promise<RouteResponse> {
  requireOnline(ctx.deps);
  const input = await read(ctx, 'deactivated', [['license_key', true], ['instance_id', true]]);
  if ('status' in input) return input;
  const [licenseKey, instanceId] = input.values as [string, string];
  const key = onlineKey(ctx.deps, licenseKey);
  if (!key.ok) return notFound('deactivated');
  const actor = { clock: ctx.deps.clock, random: ctx.deps.random, actor: 'online:lemonsqueezy', source: 'server' };
  const result = await ctx.deps.store.transaction((tx) => deactivateMachine(tx, key.licenseKey, instanceId, actor), TX);
  if (!result.license || result.status === 'unknown') return notFound('deactivated');
  const body = { license_key: licenseKeyJson(result.license, result.activations, activationLimit(result.license, key.policy), ctx.deps.clock()), meta: metaJson(result.license, key) };
  if (result.status === 'activation_unknown') return reply(404, 'deactivated', 'license_key instance not found.', body);
  return reply(200, 'deactivated', null, body);
}
