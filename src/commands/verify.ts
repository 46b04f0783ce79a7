import { existsSync, readFileSync, statSync } from 'node:fs';
import type { AppContext } from '../cli/app-context.js';
import { outColor } from '../cli/colors.js';
import { readStdin } from '../cli/read-stdin.js';
import { safeText } from '../cli/terminal-text.js';
import { UsageError, UserError } from '../errors.js';
import { checkBlob, type CheckedBlob } from '../license/check-blob.js';
import { parsePrivateKey, publicJwkFromRaw } from '../license/ed25519-key.js';
import type { LicenseFormat } from '../license/format.js';
import { toView } from '../ledger/license-view.js';
import { isBuiltinFormat, loadFormat } from '../license/load-format.js';
import type { PluginFormat } from '../license/plugin-format.js';
import { resolve as resolvePath } from 'node:path';
import type { PublicKey } from '../keys/key-store.js';
import { DEFAULT_CONFIG, type Config } from '../config/config.js';
import { productIds } from '../config/products.js';
import { createPublicKey } from 'node:crypto';

export interface VerifyFlags {
  product?: string;
  format?: string;
  key?: string;
}

async function readInput(arg: string | undefined): Promise<{ text: string; file?: string }> {
  if (arg === undefined && process.stdin.isTTY) throw new UsageError('give the blob, a file of blobs, or "-" to read stdin');
  if (arg === undefined || arg === '-') {
    const text = await readStdin();
    if (text.trim() === '') throw new UsageError('nothing to verify: stdin was empty (give the blob, a file of blobs, or pipe one in)');
    return { text };
  }
  if (existsSync(arg) && statSync(arg).isFile()) return { text: readFileSync(arg, 'utf8'), file: arg };
  // Anything else is a blob, unless it plainly names a file that is not there.
  if (/^(\.{0,2}\/|~)|\.(jsonl|json|txt|lic|csv)$/i.test(arg)) throw new UserError(`${arg}: no such file`);
  return { text: arg };
}

function keyFromFlag(text: string): PublicKey {
  const t = text.trim();
  try {
    if (t.startsWith('{')) {
      const jwk = JSON.parse(t) as { x: string };
      return publicJwkFromRaw(Buffer.from(jwk.x, 'base64url'));
    }
    if (/^[0-9a-f]{64}$/i.test(t)) return publicJwkFromRaw(Buffer.from(t, 'hex'));
    if (t.includes('PUBLIC KEY')) return publicJwkFromRaw(Buffer.from(createPublicKey(t).export({ format: 'jwk' }).x as string, 'base64url'));
    if (t.includes('PRIVATE KEY')) return parsePrivateKey(t).publicJwk;
  } catch {
    // fall through to the error below
  }
  throw new UserError('--key expects a public key as a JWK, 64 hex characters or an SPKI PEM');
}

async function ledgerStatusOf(licenseKey: string, app: AppContext) {
  if (!existsSync(app.paths.ledgerFile) || !app.configOrNull()) return undefined;
  const row = (await app.ledger()).getLicense(licenseKey);
  if (!row) return { status: 'not in the ledger' as const, revokedAt: null, revokeReason: null, expiresAt: null };
  const view = toView(row, app.clock());
  return { status: view.status, revokedAt: view.revokedAt, revokeReason: view.revokeReason, expiresAt: view.expiresAt };
}

function licenseOf(result: CheckedBlob) {
  const c = result.claims;
  if (!c) return undefined;
  const date = (s?: number) => (s === undefined ? null : new Date(s * 1000).toISOString());
  return {
    licenseKey: c.sub, product: c.iss, name: c.name, email: c.email, tier: c.tier, issuedAt: date(c.iat), expiresAt: date(c.exp),
    updatesUntil: date(c.updates_until), ...(c.seats !== undefined ? { seats: c.seats } : {}), ...(c.features ? { features: c.features } : {}), kid: result.kid ?? null,
  };
}

export async function verifyCommand(arg: string | undefined, flags: VerifyFlags, app: AppContext): Promise<void> {
  const config = app.configOrNull();
  const keys = flags.key ? [keyFromFlag(flags.key.startsWith('@') ? readFileSync(flags.key.slice(1), 'utf8') : flags.key)] : (await app.keys()).publicKeys();
  if (keys.length === 0) throw new UserError('no public keys to verify against: run "license-admin keys import" or pass --key');
  const checks = await productChecks(config, flags, app, keys);
  const input = await readInput(arg);
  const lines = input.text.split(/\r?\n/).map((l) => l.replace(/^\uFEFF/, '').trim());
  if (input.file && lines.filter((l) => l.startsWith('{')).length >= 1) return verifyLog(input.file, lines, checks[0]!.format, checks[0]!.options, app);

  const result = bestResult(checks.map((c) => checkBlob(input.text.trim(), c.format, c.options)));
  const license = licenseOf(result);
  const untrusted = license ? undefined : untrustedLicenseOf(result);
  const ledger = license ? await ledgerStatusOf(license.licenseKey, app) : undefined;
  // 3: the signature is good but the ledger knows better (refunded, charged back); the app would accept it.
  const revokedHere = result.valid && ledger?.status === 'revoked';
  process.exitCode = revokedHere ? VERIFY_EXIT.revokedInLedger : result.valid ? VERIFY_EXIT.valid : VERIFY_EXIT.notValid;
  if (app.json) {
    return app.out.json({
      valid: result.valid, ...(result.reason ? { reason: result.reason, detail: result.detail } : {}), ...(license ? { license } : {}),
      ...(untrusted ? { untrustedLicense: untrusted } : {}), ...(ledger ? { ledger } : {}),
    });
  }
  const verdict = revokedHere
    ? outColor.red(`VALID SIGNATURE, BUT REVOKED in the ledger${ledger.revokeReason ? ` (${safeText(ledger.revokeReason)})` : ''}: do not treat this license as in use`)
    : result.valid ? outColor.green('VALID') : outColor.red(`INVALID: ${result.reason} (${safeText(result.detail ?? '')})`);
  app.out.data(verdict);
  // The blob alone cannot know about a refund: say what the ledger knows, for support.
  if (ledger) app.out.data(`  Ledger    ${ledger.status}${ledger.revokedAt ? ` since ${ledger.revokedAt.slice(0, 10)}${ledger.revokeReason ? ` (${safeText(ledger.revokeReason)})` : ''}` : ''}${renewedSince(ledger.expiresAt, license?.expiresAt ?? null) ? `, expires ${ledger.expiresAt ?? 'never'} (renewed since this blob)` : ''}`);
  if (license) app.out.data(claimLines(license).join('\n'));
  if (untrusted) app.out.data([outColor.red('  UNTRUSTED: what the blob claims (its signature does not vouch for any of it):'), ...claimLines(untrusted)].join('\n'));
}

interface ProductCheck {
  format: LicenseFormat;
  options: Parameters<typeof checkBlob>[2];
}

/**
 * How to check a blob for each product it may be of: the one --product names, else every configured product
 * (each with its format), so a ledger selling two apps verifies either's licenses.
 */
async function productChecks(config: Config | null, flags: VerifyFlags, app: AppContext, keys: PublicKey[]): Promise<ProductCheck[]> {
  const now = app.clock();
  if (!config || flags.format) {
    const format = config || flags.format
      ? await loadFormat({ ...(config ?? DEFAULT_CONFIG), ...(flags.format ? { format: formatFromFlag(flags.format) } : {}) }, app.paths.configDir)
      : await app.format();
    const product = flags.product ?? config?.product;
    return [{ format, options: { keys, now, ...(product ? { product } : {}) } }];
  }
  const ids = productIds(config);
  const chosen = flags.product === undefined ? ids : ids.includes(flags.product) ? [flags.product] : null;
  if (!chosen) return [{ format: await app.format(), options: { keys, now, product: flags.product! } }];
  return Promise.all(chosen.map(async (id) => ({ format: await app.format(id), options: { keys, now, product: id } })));
}

/** A valid result; else one that got past the format and product (a real verdict on that product's blob); else the first. */
function bestResult(results: CheckedBlob[]): CheckedBlob {
  return results.find((r) => r.valid) ?? results.find((r) => r.reason !== 'malformed' && r.reason !== 'wrong-product') ?? results[0]!;
}

/** verify's exit codes, a scripting contract (README "Exit codes", issue 12): 0 valid, 1 not, 3 valid but revoked here. */
export const VERIFY_EXIT = { valid: 0, notValid: 1, revokedInLedger: 3 } as const;

/** The ledger keeps milliseconds, a blob whole seconds: only a different second is a renewal. */
function renewedSince(ledgerExpiry: string | null, blobExpiry: string | null): boolean {
  const second = (iso: string | null) => (iso === null ? null : Math.floor(Date.parse(iso) / 1000));
  return second(ledgerExpiry) !== second(blobExpiry);
}

type ShownLicense = NonNullable<ReturnType<typeof licenseOf>>;

function claimLines(l: ShownLicense): string[] {
  const t = (v: unknown) => safeText(String(v ?? ''));
  return [
    `  Key       ${t(l.licenseKey)}`, `  Product   ${t(l.product)}`, `  Name      ${t(l.name)}`, `  Email     ${t(l.email)}`,
    `  Tier      ${t(l.tier)}`, `  Issued    ${t(l.issuedAt)}`, `  Expires   ${l.expiresAt ? t(l.expiresAt) : 'never (lifetime)'}`,
    ...(l.updatesUntil ? [`  Updates   until ${t(l.updatesUntil)}`] : []),
    ...(l.seats !== undefined ? [`  Seats     ${t(l.seats)}`] : []), ...(Array.isArray(l.features) && l.features.length ? [`  Features  ${t(l.features.join(', '))}`] : []),
    `  Signed by ${t(l.kid)}`,
  ];
}

/** The claims of a blob that failed its signature, for support ("whose is this?"), each field checked for shape. */
function untrustedLicenseOf(result: CheckedBlob): ShownLicense | undefined {
  const c = result.untrustedClaims;
  if (typeof c !== 'object' || c === null || Array.isArray(c)) return undefined;
  const claims = c as Record<string, unknown>;
  const text = (k: string) => (typeof claims[k] === 'string' ? (claims[k] as string).slice(0, 500) : null);
  const date = (k: string) => {
    const v = claims[k];
    return typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 8.64e12 / 1000 ? new Date(v * 1000).toISOString() : null;
  };
  const seats = claims.seats;
  const features = Array.isArray(claims.features) ? claims.features.filter((f): f is string => typeof f === 'string').slice(0, 50) : undefined;
  return {
    licenseKey: text('sub') ?? '', product: text('iss') ?? '', name: text('name') ?? '', email: text('email') ?? '', tier: text('tier') ?? '',
    issuedAt: date('iat'), expiresAt: date('exp'), updatesUntil: date('updates_until'),
    ...(typeof seats === 'number' && Number.isInteger(seats) ? { seats } : {}), ...(features ? { features } : {}),
    kid: typeof result.kid === 'string' ? result.kid.slice(0, 200) : null,
  } as ShownLicense;
}

/** --format is typed at a shell: a plugin path is relative to where the user is, not to the config. */
function formatFromFlag(spec: string): string {
  return isBuiltinFormat(spec) ? spec : resolvePath(spec);
}

function blobOfLine(line: string): string[] {
  if (!line.startsWith('{')) return [];
  try {
    const blob = (JSON.parse(line) as { blob?: unknown }).blob;
    return typeof blob === 'string' ? [blob] : [];
  } catch {
    return [];
  }
}

async function verifyLog(file: string, lines: string[], format: LicenseFormat, options: Parameters<typeof checkBlob>[2], app: AppContext): Promise<void> {
  const failures: { line: number; licenseKey: string | null; reason: string; detail: string }[] = [];
  let total = 0;
  // A plugin format answers from its worker thread: decode the whole log in a few round trips.
  (format as Partial<PluginFormat>).prefetch?.(lines.flatMap((line) => blobOfLine(line)));
  lines.forEach((line, i) => {
    if (line === '') return;
    total++;
    let record: { blob?: unknown; license_key?: unknown };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      failures.push({ line: i + 1, licenseKey: null, reason: 'malformed', detail: 'not a JSON line' });
      return;
    }
    const key = typeof record.license_key === 'string' ? record.license_key : null;
    if (typeof record.blob !== 'string') {
      failures.push({ line: i + 1, licenseKey: key, reason: 'malformed', detail: 'no "blob" field' });
      return;
    }
    const result = checkBlob(record.blob, format, options);
    // In a log, an expired license is a fact of life, not a broken blob: only signature-level failures count.
    if (!result.valid && result.reason !== 'expired') failures.push({ line: i + 1, licenseKey: key, reason: result.reason!, detail: result.detail! });
    else if (key && result.claims && result.claims.sub !== key) failures.push({ line: i + 1, licenseKey: key, reason: 'malformed', detail: `blob is for ${result.claims.sub}, not ${key}` });
  });
  process.exitCode = failures.length === 0 ? VERIFY_EXIT.valid : VERIFY_EXIT.notValid;
  if (app.json) return app.out.json({ file, total, valid: total - failures.length, invalid: failures.length, failures });
  app.out.data(`${file}: ${total} blob(s), ${total - failures.length} valid, ${failures.length} failing`);
  for (const f of failures) app.out.data(`  ${file}:${f.line}  ${safeText(f.licenseKey ?? '?')}  ${f.reason}: ${safeText(f.detail)}`);
}
