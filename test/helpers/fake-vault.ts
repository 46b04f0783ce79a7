// A stand-in for Vault / OpenBao transit on 127.0.0.1, for tests: nothing real can run on this machine
// (no Vault or OpenBao in Debian or npm). It answers the documented requests the way Vault does —
// hashicorp/vault website/content/api-docs/secret/transit.mdx ("Read key", "Sign data", "Get wrapping key",
// "Import key"), builtin/logical/transit/path_import.go (decryptImportedKey: 512 bytes of RSA-OAEP-SHA256
// wrapped AES-256 key, then AES-KWP of the PKCS#8 key) and path_wrapping_key.go (an RSA-4096 PEM) — with
// Vault's error shape {"errors": [...]}. It really unwraps imported keys and signs with Ed25519.
import { constants, createDecipheriv, createPrivateKey, createPublicKey, generateKeyPairSync, privateDecrypt, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Fault {
  status: number;
  times: number;
  paths: RegExp;
}

export interface FakeVault {
  url: string;
  /** The one token Vault accepts; change it to expire the old one. AppRole logins are answered with it. */
  token: string;
  /** AppRole credentials `POST /v1/auth/approle/login` accepts (website/content/api-docs/auth/approle.mdx). */
  appRole: { roleId: string; secretId: string } | null;
  /** Method and path of every request, in order. */
  requests: { method: string; path: string }[];
  /** Keys held, by "<mount>/<name>". */
  keys: Map<string, { type: string; privateKey: KeyObject; imported: boolean }>;
  /** Answer `status` to the next `times` requests whose path matches. */
  fail(status: number, times: number, paths?: RegExp): void;
  /** Drop the faults still pending. */
  heal(): void;
  /** Wait this long before answering each request (0: answer at once). */
  delayMs: number;
  /** A key created inside "Vault" (not imported), e.g. someone else's. */
  createKey(mount: string, name: string, type?: string): void;
  close(): Promise<void>;
}

let wrappingKey: { publicPem: string; privateKey: KeyObject } | null = null;
/** RSA-4096 takes a moment to generate: one per test process. */
function theWrappingKey() {
  if (!wrappingKey) {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 4096 });
    wrappingKey = { publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKey };
  }
  return wrappingKey;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

export async function startFakeVault(token: string): Promise<FakeVault> {
  const faults: Fault[] = [];
  const fake: Omit<FakeVault, 'url' | 'close'> = {
    token,
    appRole: null,
    requests: [],
    keys: new Map(),
    delayMs: 0,
    fail(status, times, paths = /.*/) {
      faults.push({ status, times, paths });
    },
    heal() {
      faults.length = 0;
    },
    createKey(mount, name, type = 'ed25519') {
      const { privateKey } = type === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
      fake.keys.set(`${mount}/${name}`, { type, privateKey, imported: false });
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    fake.requests.push({ method: req.method ?? '', path });
    if (fake.delayMs) await new Promise((r) => setTimeout(r, fake.delayMs));
    const fault = faults.find((f) => f.times > 0 && f.paths.test(path));
    if (fault) {
      fault.times--;
      return send(res, fault.status, { errors: [fault.status === 429 ? 'rate limit quota exceeded' : 'internal error'] });
    }
    if (req.method === 'POST' && path === '/v1/auth/approle/login') {
      const body = await readJson(req);
      if (!fake.appRole || body.role_id !== fake.appRole.roleId || body.secret_id !== fake.appRole.secretId) return send(res, 400, { errors: ['invalid role or secret ID'] });
      return send(res, 200, { auth: { client_token: fake.token, accessor: 'acc', policies: ['default', 'license-signer'], lease_duration: 1200, renewable: true } });
    }
    if (req.headers['x-vault-token'] !== fake.token) return send(res, 403, { errors: ['permission denied'] });

    let m: RegExpExecArray | null;
    if (req.method === 'GET' && (m = /^\/v1\/(.+)\/wrapping_key$/.exec(path))) {
      return send(res, 200, { data: { public_key: theWrappingKey().publicPem } });
    }
    if (req.method === 'POST' && (m = /^\/v1\/(.+)\/keys\/([^/]+)\/import$/.exec(path))) {
      const body = await readJson(req);
      const id = `${m[1]}/${m[2]}`;
      if (fake.keys.has(id)) return send(res, 400, { errors: ['the import path cannot be used with an existing key; use import-version to rotate an existing imported key'] });
      if (body.type !== 'ed25519') return send(res, 400, { errors: [`this fake only imports ed25519, not ${String(body.type)}`] });
      const ciphertext = Buffer.from(String(body.ciphertext ?? ''), 'base64');
      if (ciphertext.length <= 512) return send(res, 500, { errors: ['provided ciphertext is too short'] });
      const aesKey = privateDecrypt({ key: theWrappingKey().privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: String(body.hash_function ?? 'SHA256').toLowerCase() }, ciphertext.subarray(0, 512));
      if (aesKey.length !== 32) return send(res, 500, { errors: ['expected ephemeral AES key to be 256-bit'] });
      const kwp = createDecipheriv('id-aes256-wrap-pad', aesKey, Buffer.from('a65959a6', 'hex'));
      const pkcs8 = Buffer.concat([kwp.update(ciphertext.subarray(512)), kwp.final()]);
      const privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
      if (privateKey.asymmetricKeyType !== 'ed25519') return send(res, 400, { errors: ['the imported key is not ed25519'] });
      fake.keys.set(id, { type: 'ed25519', privateKey, imported: true });
      return send(res, 204);
    }
    if (req.method === 'GET' && (m = /^\/v1\/(.+)\/keys\/([^/]+)$/.exec(path))) {
      const key = fake.keys.get(`${m[1]}/${m[2]}`);
      if (!key) return send(res, 404, { errors: [] });
      const spki = createPublicKey(key.privateKey).export({ type: 'spki', format: 'der' });
      const publicKey = key.type === 'ed25519' ? spki.subarray(-32).toString('base64') : createPublicKey(key.privateKey).export({ type: 'spki', format: 'pem' }).toString();
      return send(res, 200, { data: { name: m[2], type: key.type, latest_version: 1, min_decryption_version: 1, exportable: false, imported_key: key.imported, keys: { '1': { name: key.type, public_key: publicKey, creation_time: '2026-12-03T19:00:00Z' } } } });
    }
    if (req.method === 'POST' && (m = /^\/v1\/(.+)\/sign\/([^/]+)$/.exec(path))) {
      const body = await readJson(req);
      const key = fake.keys.get(`${m[1]}/${m[2]}`);
      if (!key) return send(res, 400, { errors: ['signing key not found'] });
      const input = Buffer.from(String(body.input ?? ''), 'base64');
      const signature = sign(key.type === 'ed25519' ? null : 'sha256', input, key.privateKey);
      return send(res, 200, { data: { signature: `vault:v1:${signature.toString('base64')}`, key_version: 1 } });
    }
    return send(res, 404, { errors: [] });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => send(res, 500, { errors: [String((error as Error).message)] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(fake, {
    url,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  }) as FakeVault;
}
