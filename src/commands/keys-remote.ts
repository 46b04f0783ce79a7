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
import { checkBackendKey, openRemoteKey } from '../signers/open-signer.js';
import { parseSignerUri } from '../signers/signer-uri.js';

export async function keysImportToCommand(uri: string, input: { text: string; where: string }, opts: { activate?: boolean }, app: AppContext): Promise<void> {
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
      if (!remote.importSeed) throw new UserError(`the ${spec.kind} signer cannot import an existing key (see ADMIN.md, "Moving the key"); create the key there and rotate to it`);
      await remote.importSeed(key.exportSeed(), Buffer.from(key.publicJwk.x, 'base64url'));
    }
    // The backend must now sign as this key: one probe, verified against the public key apps already trust.
    await pinnedSigner(remote, key.publicJwk, spec.label).sign(Buffer.from(`license-admin keys import ${key.kid}`));
  } finally {
    await remote.close();
  }
  const store = await app.keys();
  const { record } = store.addRemote(key.publicJwk, spec.label, opts.activate !== false);
  const localCopy = record.storage !== 'remote';
  if (app.json) {
    return app.out.json({ kid: key.kid, backend: spec.kind, signer: spec.label, imported: !already, localCopy: localCopy ? record.storage : null, publicKeyHex: exportPublicKey(key.publicJwk, { active: true }).publicKeyHex, jwk: key.publicJwk });
  }
  app.out.info(color.green(`${already ? 'Already in' : 'Imported into'} ${spec.label}: signing key ${key.kid} (the private key is not extractable there).`));
  app.out.data(`Public key (hex): ${exportPublicKey(key.publicJwk, { active: true }).publicKeyHex}`);
  app.out.info('Compare it with the public key embedded in your shipped app; it has not changed.');
  if (localCopy) app.out.info(`A local copy is still kept (${record.storage}). Once your backups are in order, remove it, and sign with LICENSE_ADMIN_SIGNER=${uri.split('?')[0]}?…`);
}

export async function keysTestCommand(opts: { product?: string }, app: AppContext): Promise<void> {
  const signer = await app.signer(opts.product);
  const remote = signerChoice(app.env) === 'remote' ? await openRemote(await app.keys(), app.env, app.productConfig(opts.product).signingKid ?? '') : null;
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
