// A stand-in for AWS KMS on 127.0.0.1, for tests: nothing real (no LocalStack, no moto) can run here. It
// answers the AWS JSON 1.1 protocol the official client speaks — POST / with `X-Amz-Target:
// TrentService.<Operation>`, `Content-Type: application/x-amz-json-1.1`, blobs as base64, errors as
// `{"__type": "<Exception>", "message": "..."}` — for the two operations this tool uses, as the KMS API
// Reference documents them: Sign (KeyId, Message, MessageType RAW, SigningAlgorithm ED25519_SHA_512 ->
// KeyId, Signature, SigningAlgorithm) and GetPublicKey (-> KeyId, KeySpec, KeyUsage, PublicKey as SPKI
// DER, SigningAlgorithms). It signs with real Ed25519. The SigV4 signature itself is not checked, only that
// the request carries one for the expected access key id.
import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeKms {
  url: string;
  accessKeyId: string;
  requests: { target: string; body: Record<string, unknown> }[];
  /** Keys by id (also reachable by their ARN). */
  keys: Map<string, { privateKey: KeyObject; spec: string; enabled: boolean }>;
  addEd25519Key(id: string, seed: Uint8Array): void;
  /** The next `times` requests for this operation fail with this status and exception. */
  fail(operation: string, status: number, type: string, times: number): void;
  heal(): void;
  delayMs: number;
  close(): Promise<void>;
}

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'fake-0000' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
}

export async function startFakeKms(accessKeyId: string, region = 'eu-west-1', account = '111122223333'): Promise<FakeKms> {
  const faults: { operation: string; status: number; type: string; times: number }[] = [];
  const fake = {
    accessKeyId,
    requests: [] as FakeKms['requests'],
    keys: new Map() as FakeKms['keys'],
    delayMs: 0,
    addEd25519Key(id: string, seed: Uint8Array) {
      fake.keys.set(id, { privateKey: createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' }), spec: 'ECC_NIST_EDWARDS25519', enabled: true });
    },
    fail(operation: string, status: number, type: string, times: number) {
      faults.push({ operation, status, type, times });
    },
    heal() {
      faults.length = 0;
    },
  };
  const find = (keyId: unknown) => {
    const id = String(keyId ?? '').replace(new RegExp(`^arn:aws:kms:${region}:${account}:key/`), '');
    return { id, key: fake.keys.get(id) };
  };
  const arn = (id: string) => `arn:aws:kms:${region}:${account}:key/${id}`;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const body = await readJson(req);
    fake.requests.push({ target, body });
    if (fake.delayMs) await new Promise((r) => setTimeout(r, fake.delayMs));
    const operation = target.replace(/^TrentService\./, '');
    const fault = faults.find((f) => f.times > 0 && f.operation === operation);
    if (fault) {
      fault.times--;
      return send(res, fault.status, { __type: fault.type, message: `${fault.type} (fake)` });
    }
    if (req.headers['content-type'] !== 'application/x-amz-json-1.1') return send(res, 400, { __type: 'SerializationException', message: 'wrong content type' });
    const credential = /^AWS4-HMAC-SHA256 Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1];
    if (credential !== accessKeyId) return send(res, 400, { __type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' });
    const { id, key } = find(body.KeyId);
    if (!key) return send(res, 400, { __type: 'NotFoundException', message: `Key '${arn(id)}' does not exist` });
    if (!key.enabled) return send(res, 400, { __type: 'DisabledException', message: `${arn(id)} is disabled.` });
    if (operation === 'GetPublicKey') {
      const spki = createPublicKey(key.privateKey).export({ type: 'spki', format: 'der' });
      return send(res, 200, { KeyId: arn(id), KeySpec: key.spec, KeyUsage: 'SIGN_VERIFY', PublicKey: spki.toString('base64'), SigningAlgorithms: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] });
    }
    if (operation === 'Sign') {
      if (body.SigningAlgorithm !== 'ED25519_SHA_512' || body.MessageType !== 'RAW') {
        return send(res, 400, { __type: 'ValidationException', message: 'ED25519_SHA_512 requires MessageType RAW' });
      }
      const signature = sign(null, Buffer.from(String(body.Message), 'base64'), key.privateKey);
      return send(res, 200, { KeyId: arn(id), Signature: signature.toString('base64'), SigningAlgorithm: 'ED25519_SHA_512' });
    }
    return send(res, 400, { __type: 'UnknownOperationException', message: operation });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => send(res, 500, { __type: 'KMSInternalException', message: String((error as Error).message) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(fake, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  });
}
