// The config's `signer` block: what validateConfig refuses, and LICENSE_ADMIN_SIGNER always winning over it.
import { describe, expect, test } from 'vitest';
import { DEFAULT_CONFIG, validateConfig } from '../src/config/config.js';
import { signerConfigProblems, withConfiguredSigner } from '../src/signers/signer-config.js';

const VAULT = 'vault+https://vault.example:8200/transit/keys/license';

describe('signer config', () => {
  test.each<[unknown, RegExp | null]>([
    [undefined, null],
    [{ kind: 'local' }, null],
    [{ kind: 'vault', uri: VAULT }, null],
    [{ kind: 'aws-kms', uri: 'awskms:alias/license' }, null],
    ['vault', /must be an object/],
    [{ kind: 'hsm', uri: VAULT }, /signer.kind must be one of local, pkcs11, vault, aws-kms, gcp-kms/],
    [{ kind: 'vault' }, /signer.uri is needed for kind vault/],
    [{ kind: 'local', uri: VAULT }, /only for a remote signer/],
    [{ kind: 'gcp-kms', uri: VAULT }, /signer.kind is gcp-kms but signer.uri is a vault URI/],
    [{ kind: 'vault', uri: 'vault+https://root:s3cret@vault.example:8200/transit/keys/license' }, /the Vault token does not go in the URI/],
    [{ kind: 'pkcs11', uri: 'pkcs11:token=a;object=b?pin-value=1234&module-path=/x.so' }, /the PIN does not go in the URI/],
  ])('%j -> %s', (signer, problem) => {
    const problems = signerConfigProblems(signer);
    if (problem === null) expect(problems).toEqual([]);
    else expect(problems.join('; ')).toMatch(problem);
  });

  test('validateConfig refuses a bad signer block, never echoing a secret', () => {
    expect(() => validateConfig({ ...DEFAULT_CONFIG, signer: { kind: 'vault', uri: 'vault+https://u:hunter2@v:8200/transit/keys/k' } }, 'config.json')).toThrow(/config.json: signer.uri: the Vault token does not go in the URI/);
    try {
      validateConfig({ ...DEFAULT_CONFIG, signer: { kind: 'vault', uri: 'vault+https://u:hunter2@v:8200/transit/keys/k' } });
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
  });

  test.each<[Record<string, string>, { kind: 'local' | 'vault'; uri?: string } | undefined, string | undefined]>([
    [{}, undefined, undefined],
    [{}, { kind: 'vault', uri: VAULT }, VAULT],
    [{ LICENSE_ADMIN_SIGNER: 'awskms:alias/other' }, { kind: 'vault', uri: VAULT }, 'awskms:alias/other'],
    [{}, { kind: 'local' }, undefined],
  ])('env %j + config %j -> LICENSE_ADMIN_SIGNER %s', (env, signer, expected) => {
    expect(withConfiguredSigner(env, signer).LICENSE_ADMIN_SIGNER).toBe(expected);
  });
});
