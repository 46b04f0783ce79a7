// The AWS KMS signer with the official @aws-sdk/client-kms pointed at a local stand-in for KMS
// (test/helpers/fake-aws-kms.ts: the JSON 1.1 protocol and the Sign / GetPublicKey shapes of the KMS API
// Reference; nothing real can run here), so the SDK's own request building, signing, retries and parsing
// run for real. The fake signs with real Ed25519.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signingKeyFromSeed } from '../src/license/ed25519-key.js';
import { pinnedSigner, SignerError, SignerUnavailableError } from '../src/license/signer.js';
import { openAwsKmsKey } from '../src/signers/aws-kms.js';
import type { CallPolicy } from '../src/signers/remote-http.js';
import { parseSignerUri } from '../src/signers/signer-uri.js';
import { startFakeKms, type FakeKms } from './helpers/fake-aws-kms.js';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const OTHER_ID = '0000abcd-12ab-34cd-56ef-1234567890ab';
const ACCESS_KEY = 'AKIAFAKEFAKEFAKE0001';
const SECRET = `fake-secret-${randomBytes(12).toString('hex')}`;
const seed = randomBytes(32);
const key = signingKeyFromSeed(seed);
const message = Buffer.from('{"sub":"DT1-PRO-1"}');
const fast: CallPolicy = { timeoutMs: 500, attempts: 3, backoffMs: 10 };
let kms: FakeKms;
const env = (over: Record<string, string> = {}) => ({ AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_KMS: kms.url, AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET, ...over });
const spec = (id: string) => parseSignerUri(`awskms:${id}`) as Extract<ReturnType<typeof parseSignerUri>, { kind: 'aws-kms' }>;
const open = (id = KEY_ID, e: Record<string, string> = env(), policy = fast) => openAwsKmsKey(spec(id), e, policy);

beforeAll(async () => {
  kms = await startFakeKms(ACCESS_KEY);
  kms.addEd25519Key(KEY_ID, seed);
  kms.addEd25519Key(OTHER_ID, randomBytes(32));
});
afterAll(() => kms?.close());

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

describe('AWS KMS through @aws-sdk/client-kms', () => {
  test('GetPublicKey (SPKI) is the local key; Sign is RAW ED25519_SHA_512 and byte-identical to local signing', async () => {
    const remote = open();
    expect(Buffer.from((await remote.publicKey())!).toString('base64url')).toBe(key.publicJwk.x);
    expect(Buffer.from(await remote.sign(message))).toEqual(Buffer.from(key.sign(message)));
    const signRequest = kms.requests.find((r) => r.target === 'TrentService.Sign')!;
    expect(signRequest.body).toEqual({ KeyId: KEY_ID, Message: message.toString('base64'), MessageType: 'RAW', SigningAlgorithm: 'ED25519_SHA_512' });
    await remote.close();
  });

  test('a key ARN carries its region; the key is found by ARN', async () => {
    const arn = `arn:aws:kms:eu-west-1:111122223333:key/${KEY_ID}`;
    const { AWS_REGION: _r, ...noRegion } = env();
    expect(Buffer.from(await open(arn, noRegion).sign(message))).toEqual(Buffer.from(key.sign(message)));
  });

  test('ThrottlingException twice, then an answer: the SDK retries and the signature arrives', async () => {
    kms.fail('Sign', 400, 'ThrottlingException', 2);
    const before = kms.requests.length;
    expect(Buffer.from(await open().sign(message))).toEqual(Buffer.from(key.sign(message)));
    expect(kms.requests.length - before).toBe(3);
  });

  test.each([
    [400, 'ThrottlingException'],
    [500, 'KMSInternalException'],
    [503, 'ServiceUnavailableException'],
  ])('%i %s on every attempt: SignerUnavailableError after the attempts', async (status, type) => {
    kms.fail('Sign', status, type, 3);
    const error = await rejection(open().sign(message));
    expect(error).toBeInstanceOf(SignerUnavailableError);
    expect(error.message).toMatch(new RegExp(`AWS KMS key awskms:${KEY_ID} is not available for Sign: ${type}.*after 3 attempts`));
    kms.heal();
  });

  test('nothing listening: SignerUnavailableError after the attempts', async () => {
    const error = await rejection(open(KEY_ID, env({ AWS_ENDPOINT_URL_KMS: `http://127.0.0.1:${await closedPort()}` })).sign(message));
    expect(error).toBeInstanceOf(SignerUnavailableError);
    expect(error.message).toMatch(/is not available for /);
  });

  test('no answer in time: SignerUnavailableError', async () => {
    kms.delayMs = 400;
    try {
      const error = await rejection(open(KEY_ID, env(), { timeoutMs: 100, attempts: 2, backoffMs: 10 }).sign(message));
      expect(error).toBeInstanceOf(SignerUnavailableError);
    } finally {
      kms.delayMs = 0;
    }
  });

  test('wrong credentials: refused at once, the secret never in the message', async () => {
    const before = kms.requests.length;
    const error = await rejection(open(KEY_ID, env({ AWS_ACCESS_KEY_ID: 'AKIAWRONGWRONG000000' })).sign(message));
    expect(error).toBeInstanceOf(SignerError);
    expect(error).not.toBeInstanceOf(SignerUnavailableError);
    expect(error.message).toMatch(/AWS refused the credentials \(UnrecognizedClientException\)/);
    expect(error.message).not.toContain(SECRET);
    expect(kms.requests.length - before).toBe(1);
  });

  test('AccessDenied, a disabled key, a missing key: clear errors', async () => {
    kms.fail('Sign', 400, 'AccessDeniedException', 1);
    expect((await rejection(open().sign(message))).message).toMatch(/access denied for Sign .*needs kms:Sign and kms:GetPublicKey/);
    kms.keys.get(KEY_ID)!.enabled = false;
    try {
      expect((await rejection(open().sign(message))).message).toMatch(/cannot be used now \(DisabledException/);
    } finally {
      kms.keys.get(KEY_ID)!.enabled = true;
    }
    const missing = '9999abcd-12ab-34cd-56ef-1234567890ab';
    expect(await open(missing).publicKey()).toBeNull();
    expect((await rejection(open(missing).sign(message))).message).toMatch(/does not exist/);
  });

  test('another KMS key than the pinned one: refused, naming the backend', async () => {
    const swapped = pinnedSigner(open(OTHER_ID), key.publicJwk, spec(OTHER_ID).label);
    expect((await rejection(swapped.sign(message))).message).toMatch(new RegExp(`the aws-kms signer awskms:${OTHER_ID} returned a signature that does not verify`));
  });
});
