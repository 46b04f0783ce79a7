// `keys import --to <signer URI>` (the existing key into an HSM or KMS, public key unchanged) and `keys test`
// (one probe signed through the configured signer and verified, with its latency).
import { verify } from 'node:crypto';
import type { AppContext } from '../cli/app-context.js';
import { color } from '../cli/colors.js';
import { UserError } from '../errors.js';
import { KeyFormatError, parsePrivateKey, publicKeyObject, publicJwkFromRaw, type SigningKey } from '../license/ed25519-key.js';
import { pinnedSigner, SignerError } from '../license/signer.js';
import { exportPublicKey } from '../keys/public-key-formats.js';
import { openRemote, signerChoice } from '../signers/choose-signer.js';
import { backendPublicKey, checkBackendKey, openRemoteKey } from '../signers/open-signer.js';
import { signerEnv } from '../signers/signer-config.js';
import { parseSignerUri } from '../signers/signer-uri.js';

/** Backends this tool cannot put an existing key into: the way there is a new key and a rotation. */
function cannotImport(kind: string, uri: string): UserError {
  const why = kind === 'aws-kms'
    ? 'AWS KMS: this tool does not import an existing Ed25519 key into KMS (ADMIN.md, "AWS KMS and your existing key")'
    : `the ${kind} signer cannot import an existing key from here (ADMIN.md, "Moving the existing key")`;
  return new UserError(`${why}; nothing was changed. Create an Ed25519 signing key there and rotate to it: license-admin keys rotate --prepare --to "${uri.split('?')[0]}", ship an app build that trusts both keys, then license-admin keys activate <kid>`);
}

/** AWS KMS is known to need a rotation rather than an import: said before the key is read or KMS contacted. */
export function refuseUnimportable(uri: string): void {
  const spec = parseSignerUri(uri);
  if (spec.kind === 'aws-kms') throw cannotImport(spec.kind, uri);
}

export async function keysImportToCommand(uri: string, input: { text: string; where: string }, opts: { activate?: boolean; deleteLocal?: boolean }, app: AppContext): Promise<void> {
  refuseUnimportable(uri);
  const spec = parseSignerUri(uri);
  let key: SigningKey;
  try {
    key = parsePrivateKey(input.text);
  } catch (error) {
    if (error instanceof KeyFormatError) throw new UserError(`${input.where}: ${error.message}`);
    throw error;
  }
  const remote = await openRemoteKey(spec, app.env);
  let already = false;
  try {
    const present = await remote.publicKey();
    if (present && publicJwkFromRaw(present).x !== key.publicJwk.x) {
      throw new SignerError(`${spec.label} already holds another key (${publicJwkFromRaw(present).kid}); nothing was imported. Choose another key name`);
    }
    already = present !== null;
    if (!already) {
      if (!remote.importSeed) throw cannotImport(spec.kind, uri);
      await remote.importSeed(key.exportSeed(), Buffer.from(key.publicJwk.x, 'base64url'));
    }
    // The backend must now sign as this key: one probe, verified against the public key apps already trust.
    await pinnedSigner(remote, key.publicJwk, spec.label).sign(Buffer.from(`license-admin keys import ${key.kid}`));
  } finally {
    await remote.close();
  }
  const store = await app.keys();
  const { record } = store.addRemote(key.publicJwk, spec.label, opts.activate !== false);
  const hadCopy = record.storage !== 'remote';
  // The key now verifiably signs there: offer to remove the copy here (asked only at a terminal).
  const drop = hadCopy && (opts.deleteLocal === true
    || (!app.json && app.prompts.interactive && (await app.prompts.confirm(`Delete the local copy of ${key.kid} (${record.storage})? Keep it only if it is your backup`, false))));
  const removed = drop ? (await store.dropLocalCopy(key.kid, spec.label)).removed : null;
  const localCopy = hadCopy && !removed ? record.storage : null;
  if (app.json) {
    return app.out.json({ kid: key.kid, backend: spec.kind, signer: spec.label, imported: !already, localCopy, localCopyRemoved: removed, publicKeyHex: exportPublicKey(key.publicJwk, { active: true }).publicKeyHex, jwk: key.publicJwk });
  }
  app.out.info(color.green(`${already ? 'Already in' : 'Imported into'} ${spec.label}: signing key ${key.kid} (the private key is not extractable there).`));
  app.out.data(`Public key (hex): ${exportPublicKey(key.publicJwk, { active: true }).publicKeyHex}`);
  app.out.info('Compare it with the public key embedded in your shipped app; it has not changed.');
  if (removed) app.out.info(`The local copy (${removed}) was deleted: ${key.kid} now signs only through ${spec.label}.`);
  if (localCopy) app.out.info(`A local copy is still kept (${localCopy}). Once your backups are in order, remove it with "keys import --to … --delete-local", and sign with LICENSE_ADMIN_SIGNER=${uri.split('?')[0]}?…`);
}

/**
 * `keys rotate --to <uri>`: a key created inside the backend (AWS KMS, or a new HSM / Vault key) becomes the
 * next signing key. Its public key comes from the backend; one probe must verify against it first.
 */
export async function keysRotateToCommand(uri: string, opts: { prepare?: boolean }, app: AppContext): Promise<void> {
  const spec = parseSignerUri(uri);
  const store = await app.keys();
  const previous = store.activeRecord();
  const remote = await openRemoteKey(spec, app.env);
  let publicJwk;
  try {
    publicJwk = await backendPublicKey({ spec, key: remote });
    await pinnedSigner(remote, publicJwk, spec.label).sign(Buffer.from(`license-admin keys rotate ${publicJwk.kid}`));
  } finally {
    await remote.close();
  }
  const { existed } = store.addRemote(publicJwk, spec.label, !opts.prepare);
  if (app.json) return app.out.json({ kid: publicJwk.kid, active: !opts.prepare, previousKid: previous?.kid ?? null, backend: spec.kind, signer: spec.label, jwks: { keys: store.publicKeys() } });
  app.out.info(color.green(`${existed ? 'Already known' : 'Added'}: signing key ${publicJwk.kid} held by ${spec.label}${opts.prepare ? ', not signing yet' : ', now the active key'}.`));
  app.out.data(`Public key (hex): ${exportPublicKey(publicJwk, { active: true }).publicKeyHex}`);
  if (opts.prepare) app.out.info(`Ship an app build that trusts it (license-admin keys show), then: license-admin keys activate ${publicJwk.kid}`);
  app.out.info(`Sign with it by setting LICENSE_ADMIN_SIGNER=${uri.split('?')[0]}${uri.includes('?') ? '?…' : ''}`);
}

export async function keysTestCommand(opts: { product?: string }, app: AppContext): Promise<void> {
  const signer = await app.signer(opts.product);
  const env = signerEnv(app);
  const remote = signerChoice(env) === 'remote' ? await openRemote(await app.keys(), env, app.productConfig(opts.product).signingKid ?? '') : null;
  const probe = Buffer.from(`license-admin keys test ${app.clock().toISOString()}`);
  try {
    if (remote) await checkBackendKey(remote);
    const started = performance.now();
    const signature = await signer.sign(probe);
    const latencyMs = Math.round((performance.now() - started) * 100) / 100;
    if (!verify(null, probe, publicKeyObject(signer.publicJwk), signature)) throw new SignerError(`the ${signer.backend} signer's probe signature does not verify against ${signer.kid}`);
    const result = { ok: true, kid: signer.kid, backend: signer.backend, signer: remote?.spec.label ?? null, latencyMs };
    if (app.json) return app.out.json(result);
    app.out.info(color.green(`ok: ${signer.backend} signer${remote ? ` ${remote.spec.label}` : ''} signed a probe as ${signer.kid} in ${latencyMs} ms, and it verifies.`));
  } finally {
    await remote?.key.close();
  }
}
