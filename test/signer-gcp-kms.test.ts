// The Google Cloud KMS signer with the official @google-cloud/kms (REST transport) pointed at a local
// stand-in for the Cloud KMS REST API (test/helpers/fake-gcp-kms.ts; nothing real can run here), so the
// client's own request building and response parsing run for real. The fake signs with real Ed25519.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signingKeyFromSeed } from '../src/license/ed25519-key.js';
import { pinnedSigner, SignerError, SignerUnavailableError } from '../src/license/signer.js';
import { openGcpKmsKey } from '../src/signers/gcp-kms.js';
import type { CallPolicy } from '../src/signers/remote-http.js';
import { parseSignerUri } from '../src/signers/signer-uri.js';
import { startFakeGcpKms, type FakeGcpKms } from './helpers/fake-gcp-kms.js';

const NAME = 'projects/acme/locations/europe-west1/keyRings/licenses/cryptoKeys/signing/cryptoKeyVersions/1';
const OTHER = 'projects/acme/locations/europe-west1/keyRings/licenses/cryptoKeys/other/cryptoKeyVersions/1';
const TOKEN = `ya29.fake-${randomBytes(12).toString('hex')}`;
const seed = randomBytes(32);
const key = signingKeyFromSeed(seed);
const message = Buffer.from('{"sub":"DT1-PRO-1"}');
const fast: CallPolicy = { timeoutMs: 500, attempts: 3, backoffMs: 10 };
let gcp: FakeGcpKms;
const env = (over: Record<string, string> = {}) => ({ LICENSE_ADMIN_GCP_KMS_ENDPOINT: gcp.url, GOOGLE_OAUTH_ACCESS_TOKEN: TOKEN, ...over });
const spec = (name: string) => parseSignerUri(`gcpkms:${name}`) as Extract<ReturnType<typeof parseSignerUri>, { kind: 'gcp-kms' }>;
const open = (name = NAME, e: Record<string, string> = env(), policy = fast) => openGcpKmsKey(spec(name), e, policy);

beforeAll(async () => {
  gcp = await startFakeGcpKms(TOKEN);
  gcp.addEd25519Version(NAME, seed);
  gcp.addEd25519Version(OTHER, randomBytes(32));
});
afterAll(() => gcp?.close());

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('Google Cloud KMS through @google-cloud/kms (REST)', () => {
  test('getPublicKey (PEM) is the local key; asymmetricSign with data is byte-identical to local signing', async () => {
    const remote = open();
    expect(Buffer.from((await remote.publicKey())!).toString('base64url')).toBe(key.publicJwk.x);
    expect(Buffer.from(await remote.sign(message))).toEqual(Buffer.from(key.sign(message)));
    const signRequest = gcp.requests.find((r) => r.path.endsWith(':asymmetricSign'))!;
    expect(signRequest).toMatchObject({ method: 'POST', path: `/v1/${NAME}:asymmetricSign` });
    expect(signRequest.body).toMatchObject({ data: message.toString('base64') });
    await remote.close();
  });

  test.each([
    [429, 'RESOURCE_EXHAUSTED'],
    [503, 'UNAVAILABLE'],
  ])('%i %s twice, then an answer: retried with backoff', async (status, rpc) => {
    gcp.fail(status, rpc, 2);
    const before = gcp.requests.length;
    expect(Buffer.from(await open().sign(message))).toEqual(Buffer.from(key.sign(message)));
    expect(gcp.requests.length - before).toBe(3);
  });

  test('throttled on every attempt: SignerUnavailableError', async () => {
    gcp.fail(429, 'RESOURCE_EXHAUSTED', 3);
    const error = await rejection(open().sign(message));
    expect(error).toBeInstanceOf(SignerUnavailableError);
    expect(error.message).toMatch(/is not available for AsymmetricSign: .*after 3 attempts/);
  });

  test('nothing listening: SignerUnavailableError after the attempts', async () => {
    const error = await rejection(open(NAME, env({ LICENSE_ADMIN_GCP_KMS_ENDPOINT: `http://127.0.0.1:${await closedPort()}` })).sign(message));
    expect(error).toBeInstanceOf(SignerUnavailableError);
    expect(error.message).toMatch(/is not available for /);
  });

  test('no answer in time: SignerUnavailableError', async () => {
    gcp.delayMs = 400;
    try {
      const error = await rejection(open(NAME, env(), { timeoutMs: 100, attempts: 2, backoffMs: 10 }).sign(message));
      expect(error).toBeInstanceOf(SignerUnavailableError);
    } finally {
      gcp.delayMs = 0;
    }
  });

  test('a refused token, a permission denied, a disabled version, a missing one: clear errors, not retried', async () => {
    let before = gcp.requests.length;
    const refused = await rejection(open(NAME, env({ GOOGLE_OAUTH_ACCESS_TOKEN: 'ya29.revoked' })).sign(message));
    expect(refused).toBeInstanceOf(SignerError);
    expect(refused).not.toBeInstanceOf(SignerUnavailableError);
    expect(refused.message).toMatch(/Google refused the credentials/);
    expect(refused.message).not.toContain(TOKEN);
    expect(gcp.requests.length - before).toBe(1);
    gcp.fail(403, 'PERMISSION_DENIED', 1);
    expect((await rejection(open().sign(message))).message).toMatch(/permission denied for AsymmetricSign .*roles\/cloudkms.signerVerifier/);
    gcp.versions.get(NAME)!.state = 'DISABLED';
    try {
      expect((await rejection(open().sign(message))).message).toMatch(/cannot be used now/);
    } finally {
      gcp.versions.get(NAME)!.state = 'ENABLED';
    }
    const missing = NAME.replace('signing', 'gone');
    before = gcp.requests.length;
    expect(await open(missing).publicKey()).toBeNull();
    expect(gcp.requests.length - before).toBe(1);
  });

  test('import: an import job wraps the existing seed (RSA-OAEP-SHA256 + AES-KWP); the new version signs as the local key', async () => {
    const cryptoKey = 'projects/acme/locations/europe-west1/keyRings/licenses/cryptoKeys/imported';
    gcp.addImportOnlyKey(cryptoKey);
    const remote = open(`${cryptoKey}/cryptoKeyVersions/1`);
    expect(await remote.publicKey()).toBeNull();
    await remote.importSeed!(seed, Buffer.from(key.publicJwk.x, 'base64url'));
    expect(Buffer.from((await remote.publicKey())!).toString('base64url')).toBe(key.publicJwk.x);
    expect(Buffer.from(await remote.sign(message))).toEqual(Buffer.from(key.sign(message)));
    expect(gcp.requests.map((r) => `${r.method} ${r.path.replace(/importJobs\/.*/, 'importJobs/…')}`)).toEqual(expect.arrayContaining([
      `POST /v1/projects/acme/locations/europe-west1/keyRings/licenses/importJobs`,
      `POST /v1/${cryptoKey}/cryptoKeyVersions:import`,
    ]));
    // A URI naming another version: the import lands in the next one, and the message says which.
    const second = await rejection(open(`${cryptoKey}/cryptoKeyVersions/7`).importSeed!(seed, new Uint8Array(32)));
    expect(second.message).toMatch(new RegExp(`imported as gcpkms:${cryptoKey}/cryptoKeyVersions/2, not the version LICENSE_ADMIN_SIGNER names`));
    // No CryptoKey yet: the gcloud command that makes one for import.
    expect((await rejection(open(`${cryptoKey.replace('imported', 'absent')}/cryptoKeyVersions/1`).importSeed!(seed, new Uint8Array(32)))).message).toMatch(/create the key first, for import only: gcloud kms keys create absent --keyring licenses --location europe-west1 .*--import-only/);
  }, 30_000);

  test('another key version than the pinned one: refused, naming the backend', async () => {
    const swapped = pinnedSigner(open(OTHER), key.publicJwk, spec(OTHER).label);
    expect((await rejection(swapped.sign(message))).message).toMatch(/the gcp-kms signer gcpkms:projects\/acme.*other.* returned a signature that does not verify/);
  });
});
