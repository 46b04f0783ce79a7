// A real PKCS#11 token for tests: SoftHSM2 (Debian's softhsm2, installed by .ci/run) with its own config
// and token directory in a temp dir, initialised with softhsm2-util. PINs are random per token.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

export interface SoftHsmToken {
  dir: string;
  /** The token directory SOFTHSM2_CONF points at (move it away to make the token disappear). */
  tokenDir: string;
  label: string;
  pin: string;
  /** SOFTHSM2_CONF and LICENSE_ADMIN_PKCS11_PIN. */
  env: Record<string, string>;
  uri(object: string): string;
  remove(): void;
}

export function createSoftHsmToken(label = 'la-test'): SoftHsmToken {
  const dir = mkdtempSync(join(tmpdir(), 'la-softhsm-'));
  const tokenDir = join(dir, 'tokens');
  mkdirSync(tokenDir);
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  const pin = randomBytes(6).toString('hex');
  const soPin = randomBytes(6).toString('hex');
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--so-pin', soPin, '--pin', pin], { env: { ...process.env, SOFTHSM2_CONF: conf }, stdio: 'ignore' });
  return {
    dir, tokenDir, label, pin,
    env: { SOFTHSM2_CONF: conf, LICENSE_ADMIN_PKCS11_PIN: pin },
    uri: (object) => `pkcs11:token=${label};object=${object}?module-path=${SOFTHSM_MODULE}`,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
