// The config's `signer: { kind, uri }`: which backend signs when LICENSE_ADMIN_SIGNER is not set (the
// variable always wins). Only the URI goes in the config; PINs, tokens and credentials never do (a URI
// carrying one is refused, as in the variable).
import { UserError } from '../errors.js';
import type { SignerBackend } from '../license/signer.js';
import type { Env } from './remote-key.js';
import { parseSignerUri, SIGNER_ENV } from './signer-uri.js';

export interface SignerConfig {
  kind: SignerBackend;
  uri?: string;
}

const KINDS: readonly SignerBackend[] = ['local', 'pkcs11', 'vault', 'aws-kms', 'gcp-kms'];

/** What is wrong with a `signer` block ([] when absent or fine). */
export function signerConfigProblems(signer: unknown): string[] {
  if (signer === undefined) return [];
  const s = signer as Partial<SignerConfig> | null;
  if (typeof s !== 'object' || s === null || Array.isArray(s)) return ['signer must be an object { kind, uri }'];
  if (!KINDS.includes(s.kind as SignerBackend)) return [`signer.kind must be one of ${KINDS.join(', ')}`];
  if (s.kind === 'local') return s.uri === undefined ? [] : ['signer.uri is only for a remote signer (kind local signs with the key store)'];
  if (typeof s.uri !== 'string' || !s.uri) return [`signer.uri is needed for kind ${s.kind} (the same URI forms as ${SIGNER_ENV})`];
  try {
    const spec = parseSignerUri(s.uri);
    if (spec.kind !== s.kind) return [`signer.kind is ${s.kind} but signer.uri is a ${spec.kind} URI`];
  } catch (error) {
    if (error instanceof UserError) return [`signer.uri: ${error.message.replace(`${SIGNER_ENV}: `, '')}`];
    throw error;
  }
  return [];
}

/** The environment the signer is chosen from: LICENSE_ADMIN_SIGNER if set, else the config's remote signer. */
export function withConfiguredSigner(env: Env, signer: SignerConfig | undefined): Env {
  if (env[SIGNER_ENV] || !signer?.uri || signer.kind === 'local') return env;
  return { ...env, [SIGNER_ENV]: signer.uri };
}

export function signerEnv(app: { env: Env; configOrNull(): { signer?: SignerConfig } | null }): Env {
  return withConfiguredSigner(app.env, app.configOrNull()?.signer);
}
