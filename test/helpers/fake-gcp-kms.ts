// A stand-in for Google Cloud KMS's REST API on 127.0.0.1, for tests: nothing real can run here. It answers
// the two methods this tool uses as the Cloud KMS REST reference documents them (and as google-gax's REST
// transport sends them): GET /v1/{name=projects/*/locations/*/keyRings/*/cryptoKeys/*/cryptoKeyVersions/*}/publicKey
// -> { pem, algorithm, name, protectionLevel }, and POST /v1/{name}:asymmetricSign with { data: base64 } ->
// { signature: base64, name, protectionLevel }; errors as { error: { code, message, status } }. It checks the
// Bearer token and signs with real Ed25519.
import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeGcpKms {
  url: string;
  token: string;
  requests: { method: string; path: string; body: Record<string, unknown> | null }[];
  versions: Map<string, { privateKey: KeyObject; state: 'ENABLED' | 'DISABLED' }>;
  addEd25519Version(name: string, seed: Uint8Array): void;
  /** The next `times` requests fail with this HTTP status and google.rpc status. */
  fail(httpStatus: number, status: string, times: number): void;
  heal(): void;
  delayMs: number;
  close(): Promise<void>;
}

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const RPC_CODES: Record<string, number> = { PERMISSION_DENIED: 7, UNAUTHENTICATED: 16, NOT_FOUND: 5, RESOURCE_EXHAUSTED: 8, UNAVAILABLE: 14, INTERNAL: 13, FAILED_PRECONDITION: 9 };

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body));
}
const rpcError = (res: ServerResponse, httpStatus: number, status: string, message: string) => send(res, httpStatus, { error: { code: httpStatus, message, status } });

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : null;
}

export async function startFakeGcpKms(token: string): Promise<FakeGcpKms> {
  const faults: { httpStatus: number; status: string; times: number }[] = [];
  const fake = {
    token,
    requests: [] as FakeGcpKms['requests'],
    versions: new Map() as FakeGcpKms['versions'],
    delayMs: 0,
    addEd25519Version(name: string, seed: Uint8Array) {
      fake.versions.set(name, { privateKey: createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' }), state: 'ENABLED' });
    },
    fail(httpStatus: number, status: string, times: number) {
      faults.push({ httpStatus, status, times });
    },
    heal() {
      faults.length = 0;
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const body = await readJson(req);
    fake.requests.push({ method: req.method ?? '', path, body });
    if (fake.delayMs) await new Promise((r) => setTimeout(r, fake.delayMs));
    const fault = faults.find((f) => f.times > 0);
    if (fault) {
      fault.times--;
      return rpcError(res, fault.httpStatus, fault.status, `${fault.status} (fake)`);
    }
    if (req.headers.authorization !== `Bearer ${token}`) return rpcError(res, 401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
    const m = /^\/v1\/(projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+\/cryptoKeyVersions\/[^/:]+)(\/publicKey|:asymmetricSign)$/.exec(path);
    if (!m) return rpcError(res, 404, 'NOT_FOUND', `no route ${path}`);
    const name = m[1]!;
    const version = fake.versions.get(name);
    if (!version) return rpcError(res, 404, 'NOT_FOUND', `CryptoKeyVersion ${name} not found.`);
    if (version.state !== 'ENABLED') return rpcError(res, 400, 'FAILED_PRECONDITION', `${name} is not enabled, current state is: DISABLED.`);
    if (m[2] === '/publicKey' && req.method === 'GET') {
      const pem = createPublicKey(version.privateKey).export({ type: 'spki', format: 'pem' }).toString();
      return send(res, 200, { pem, algorithm: 'EC_SIGN_ED25519', name, protectionLevel: 'HSM' });
    }
    if (m[2] === ':asymmetricSign' && req.method === 'POST') {
      if (typeof body?.data !== 'string') return rpcError(res, 400, 'INVALID_ARGUMENT', 'EC_SIGN_ED25519 keys sign data, not a digest');
      const signature = sign(null, Buffer.from(body.data, 'base64'), version.privateKey);
      return send(res, 200, { signature: signature.toString('base64'), name, protectionLevel: 'HSM', verifiedDataCrc32c: false });
    }
    return rpcError(res, 405, 'UNIMPLEMENTED', req.method ?? '');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => rpcError(res, 500, 'INTERNAL', String((error as Error).message)));
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

export { RPC_CODES };
