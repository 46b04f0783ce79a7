// A stand-in for Google Cloud KMS's REST API on 127.0.0.1, for tests: nothing real can run here. It answers
// the two methods this tool uses as the Cloud KMS REST reference documents them (and as google-gax's REST
// transport sends them): GET /v1/{name=projects/*/locations/*/keyRings/*/cryptoKeys/*/cryptoKeyVersions/*}/publicKey
// -> { pem, algorithm, name, protectionLevel }, and POST /v1/{name}:asymmetricSign with { data: base64 } ->
// { signature: base64, name, protectionLevel }; errors as { error: { code, message, status } }. For import:
// GET a CryptoKey, POST {keyRing}/importJobs?importJobId= (an RSA-4096 public key, PENDING_GENERATION then
// ACTIVE), GET the job, POST {cryptoKey}/cryptoKeyVersions:import with { algorithm, importJob, wrappedKey }
// (RSA-OAEP-SHA256 AES key || AES-KWP PKCS#8, as ImportCryptoKeyVersionRequest documents; really unwrapped),
// GET the version (PENDING_IMPORT then ENABLED). It checks the Bearer token and signs with real Ed25519.
import { constants, createDecipheriv, createPrivateKey, createPublicKey, generateKeyPairSync, privateDecrypt, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeGcpKms {
  url: string;
  token: string;
  requests: { method: string; path: string; body: Record<string, unknown> | null }[];
  versions: Map<string, { privateKey: KeyObject; state: 'ENABLED' | 'DISABLED' }>;
  addEd25519Version(name: string, seed: Uint8Array): void;
  /** An empty import-only CryptoKey (what `gcloud kms keys create … --import-only --skip-initial-version-creation` makes). */
  addImportOnlyKey(name: string): void;
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
  const cryptoKeys = new Map<string, { versions: number }>();
  const importJobs = new Map<string, { privateKey: KeyObject; publicPem: string }>();
  const fake = {
    token,
    requests: [] as FakeGcpKms['requests'],
    versions: new Map() as FakeGcpKms['versions'],
    delayMs: 0,
    addEd25519Version(name: string, seed: Uint8Array) {
      fake.versions.set(name, { privateKey: createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' }), state: 'ENABLED' });
    },
    addImportOnlyKey(name: string) {
      cryptoKeys.set(name, { versions: 0 });
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
    const imported = handleImport(req, res, path, body);
    if (imported) return;
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

  // RSA-4096 takes a second or more to generate: one for every import job of this fake, made at start.
  const jobKey = generateKeyPairSync('rsa', { modulusLength: 4096 });
  const KEY_RING = 'projects/[^/]+/locations/[^/]+/keyRings/[^/]+';
  /** The import routes; true when it answered. */
  const handleImport = (req: IncomingMessage, res: ServerResponse, path: string, body: Record<string, unknown> | null): boolean => {
    let m: RegExpExecArray | null;
    if (req.method === 'GET' && (m = new RegExp(`^/v1/(${KEY_RING}/cryptoKeys/[^/:]+)$`).exec(path))) {
      if (!cryptoKeys.has(m[1]!)) rpcError(res, 404, 'NOT_FOUND', `CryptoKey ${m[1]} not found.`);
      else send(res, 200, { name: m[1], purpose: 'ASYMMETRIC_SIGN', importOnly: true, versionTemplate: { protectionLevel: 'HSM', algorithm: 'EC_SIGN_ED25519' } });
      return true;
    }
    if (req.method === 'POST' && (m = new RegExp(`^/v1/(${KEY_RING})/importJobs$`).exec(path))) {
      const id = new URL(req.url ?? '/', 'http://x').searchParams.get('importJobId');
      const method = (body as { importMethod?: unknown })?.importMethod;
      if (!id || (method !== 'RSA_OAEP_4096_SHA256_AES_256' && method !== 4)) {
        rpcError(res, 400, 'INVALID_ARGUMENT', `importJobId and importMethod RSA_OAEP_4096_SHA256_AES_256 are needed (got ${String(method)})`);
        return true;
      }
      const { publicKey, privateKey } = jobKey;
      const name = `${m[1]}/importJobs/${id}`;
      importJobs.set(name, { privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
      send(res, 200, { name, importMethod: 'RSA_OAEP_4096_SHA256_AES_256', protectionLevel: 'HSM', state: 'PENDING_GENERATION' });
      return true;
    }
    if (req.method === 'GET' && (m = new RegExp(`^/v1/(${KEY_RING}/importJobs/[^/]+)$`).exec(path))) {
      const job = importJobs.get(m[1]!);
      if (!job) rpcError(res, 404, 'NOT_FOUND', `ImportJob ${m[1]} not found.`);
      else send(res, 200, { name: m[1], importMethod: 'RSA_OAEP_4096_SHA256_AES_256', protectionLevel: 'HSM', state: 'ACTIVE', publicKey: { pem: job.publicPem } });
      return true;
    }
    if (req.method === 'POST' && (m = new RegExp(`^/v1/(${KEY_RING}/cryptoKeys/[^/:]+)/cryptoKeyVersions:import$`).exec(path))) {
      const key = cryptoKeys.get(m[1]!);
      const job = importJobs.get(String(body?.importJob));
      if (!key || !job) {
        rpcError(res, 404, 'NOT_FOUND', 'CryptoKey or ImportJob not found.');
        return true;
      }
      const wrapped = Buffer.from(String(body?.wrappedKey ?? ''), 'base64');
      const aesKey = privateDecrypt({ key: job.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, wrapped.subarray(0, 512));
      const kwp = createDecipheriv('id-aes256-wrap-pad', aesKey, Buffer.from('a65959a6', 'hex'));
      const privateKey = createPrivateKey({ key: Buffer.concat([kwp.update(wrapped.subarray(512)), kwp.final()]), format: 'der', type: 'pkcs8' });
      if (privateKey.asymmetricKeyType !== 'ed25519') {
        rpcError(res, 400, 'INVALID_ARGUMENT', 'the key material is not EC_SIGN_ED25519');
        return true;
      }
      key.versions++;
      const name = `${m[1]}/cryptoKeyVersions/${key.versions}`;
      fake.versions.set(name, { privateKey, state: 'ENABLED' });
      send(res, 200, { name, state: 'PENDING_IMPORT', algorithm: 'EC_SIGN_ED25519', importJob: body?.importJob, protectionLevel: 'HSM' });
      return true;
    }
    if (req.method === 'GET' && (m = new RegExp(`^/v1/(${KEY_RING}/cryptoKeys/[^/:]+/cryptoKeyVersions/\\d+)$`).exec(path))) {
      const version = fake.versions.get(m[1]!);
      if (!version) rpcError(res, 404, 'NOT_FOUND', `CryptoKeyVersion ${m[1]} not found.`);
      else send(res, 200, { name: m[1], state: version.state, algorithm: 'EC_SIGN_ED25519', protectionLevel: 'HSM' });
      return true;
    }
    return false;
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
