// PKCS#11 (HSMs, SoftHSM, YubiHSM 2, CloudHSM...) through pkcs11js: mechanism CKM_EDDSA on the message bytes.
// One logged-in session per process; a failure that means the token went away drops it, and the next
// signature opens a new one (the module is re-initialised, so a token that came back is found again).
import { createRequire } from 'node:module';
import type * as Pkcs11js from 'pkcs11js';
import { SignerError, SignerUnavailableError } from '../license/signer.js';
import type { Env, RemoteKey } from './remote-key.js';
import type { SignerSpec } from './signer-uri.js';

export const PKCS11_PIN_ENV = 'LICENSE_ADMIN_PKCS11_PIN';
const CKM_EDDSA = 0x1057;
const CKK_EC_EDWARDS = 0x40;
/** CKA_EC_PARAMS for Ed25519: the DER OID 1.3.101.112 (SoftHSM 2.6 also takes the printable string "edwards25519"). */
const ED25519_PARAMS = Buffer.from('06032b6570', 'hex');
/** Return values that mean the token, its session or its login went away: worth reconnecting for. */
const GONE = new Set([0x30, 0x31, 0x32, 0x60, 0x82, 0xb0, 0xb3, 0xe0, 0xe1, 0x101, 0x190]);
const CKR_PIN_INCORRECT = 0xa0;
const CKR_PIN_LOCKED = 0xa4;
const CKR_USER_ALREADY_LOGGED_IN = 0x100;

type Pkcs11Spec = Extract<SignerSpec, { kind: 'pkcs11' }>;
interface Connection {
  mod: Pkcs11js.PKCS11;
  session: Buffer;
}

/** One loaded module per library path in this process (C_Initialize may run once per process). */
const modules = new Map<string, { mod: Pkcs11js.PKCS11; initialized: boolean }>();

function moduleFor(path: string, pkcs11js: typeof Pkcs11js): Pkcs11js.PKCS11 {
  let entry = modules.get(path);
  if (!entry) {
    const mod = new pkcs11js.PKCS11();
    try {
      mod.load(path);
    } catch (error) {
      throw new SignerError(`cannot load the PKCS#11 module ${path}: ${what(error)}`);
    }
    entry = { mod, initialized: false };
    modules.set(path, entry);
  }
  if (!entry.initialized) {
    try {
      entry.mod.C_Initialize();
    } catch (error) {
      throw new SignerUnavailableError(`the PKCS#11 module ${path} did not initialise (${what(error)}); nothing was signed`);
    }
    entry.initialized = true;
  }
  return entry.mod;
}

/** After a token went away: the next connection initialises the module again, which finds tokens that came back. */
function resetModule(path: string): void {
  const entry = modules.get(path);
  if (!entry?.initialized) return;
  entry.initialized = false;
  try {
    entry.mod.C_Finalize();
  } catch {
    // already finalised
  }
}

function code(error: unknown): number | null {
  return typeof (error as { code?: unknown })?.code === 'number' ? (error as { code: number }).code : null;
}

function what(error: unknown): string {
  return (error as Error)?.message?.split('\n')[0] ?? String(error);
}

function loadBinding(): typeof Pkcs11js {
  try {
    return createRequire(import.meta.url)('pkcs11js') as typeof Pkcs11js;
  } catch (error) {
    throw new SignerError(`the PKCS#11 binding (pkcs11js) is not installed or did not build: ${what(error)}`);
  }
}

function closeSession(mod: Pkcs11js.PKCS11, session: Buffer): void {
  try {
    mod.C_CloseSession(session);
  } catch {
    // the token or the module is already gone
  }
}

export function openPkcs11Key(spec: Pkcs11Spec, env: Env): RemoteKey {
  const who = `PKCS#11 token "${spec.token}"`;
  let connection: Connection | null = null;

  const connect = (): Connection => {
    const pin = env[PKCS11_PIN_ENV];
    if (!pin) throw new SignerError(`${who}: set ${PKCS11_PIN_ENV} (the token's user PIN); it is never read from the config or the URI`);
    const pkcs11js = loadBinding();
    const mod = moduleFor(spec.modulePath, pkcs11js);
    let session: Buffer | null = null;
    try {
      const slots = mod.C_GetSlotList(true);
      const labels = slots.map((s) => mod.C_GetTokenInfo(s).label.trim());
      const slot = slots[labels.indexOf(spec.token)];
      if (!slot) throw new SignerUnavailableError(`${who} is not present (the module ${spec.modulePath} has ${labels.length ? `tokens ${labels.map((l) => `"${l}"`).join(', ')}` : 'no token'}); nothing was signed`);
      session = mod.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
      try {
        mod.C_Login(session, pkcs11js.CKU_USER, pin);
      } catch (error) {
        if (code(error) === CKR_USER_ALREADY_LOGGED_IN) return { mod, session };
        if (code(error) === CKR_PIN_INCORRECT) throw new SignerError(`${who} refused the PIN in ${PKCS11_PIN_ENV} (wrong PIN); nothing was signed`);
        if (code(error) === CKR_PIN_LOCKED) throw new SignerError(`${who}: the user PIN is locked (too many wrong tries); unlock it with the SO PIN`);
        throw new SignerError(`${who}: login failed (${what(error)})`);
      }
      return { mod, session };
    } catch (error) {
      if (session) closeSession(mod, session);
      if (error instanceof SignerUnavailableError) resetModule(spec.modulePath);
      if (error instanceof SignerError) throw error;
      const c = code(error);
      if (c !== null && GONE.has(c)) {
        resetModule(spec.modulePath);
        throw new SignerUnavailableError(`${who} is not reachable (${what(error)}); nothing was signed`);
      }
      throw new SignerError(`${who}: ${what(error)}`);
    }
  };

  const drop = (tokenGone: boolean) => {
    const c = connection;
    connection = null;
    if (c) closeSession(c.mod, c.session);
    if (tokenGone) resetModule(spec.modulePath);
  };

  /** Runs fn on a live session; a token that went away becomes SignerUnavailableError, and the next call reconnects. */
  const withSession = <T>(fn: (c: Connection, p: typeof Pkcs11js) => T): T => {
    const pkcs11js = loadBinding();
    try {
      connection ??= connect();
      return fn(connection, pkcs11js);
    } catch (error) {
      if (error instanceof SignerError) throw error;
      const c = code(error);
      if (c !== null && GONE.has(c)) {
        drop(true);
        throw new SignerUnavailableError(`${who} went away (${what(error)}); nothing was signed`);
      }
      throw new SignerError(`${who}: ${what(error)}`);
    }
  };

  const find = (c: Connection, p: typeof Pkcs11js, klass: number): Buffer | null => {
    c.mod.C_FindObjectsInit(c.session, [{ type: p.CKA_CLASS, value: klass }, { type: p.CKA_LABEL, value: spec.object }]);
    try {
      return c.mod.C_FindObjects(c.session, 1)[0] ?? null;
    } finally {
      c.mod.C_FindObjectsFinal(c.session);
    }
  };
  let privateKey: Buffer | null = null;

  return {
    backend: 'pkcs11',
    async publicKey() {
      return withSession((c, p) => {
        const handle = find(c, p, p.CKO_PUBLIC_KEY);
        if (!handle) return null;
        const [point] = c.mod.C_GetAttributeValue(c.session, handle, [{ type: p.CKA_EC_POINT }]);
        const raw = point?.value as Buffer | undefined;
        if (!raw) return null;
        // CKA_EC_POINT is a DER OCTET STRING (04 20 || key) on most tokens, the bare 32 bytes on some.
        return raw.length === 34 && raw[0] === 0x04 && raw[1] === 0x20 ? raw.subarray(2) : raw;
      });
    },
    async sign(message) {
      return withSession((c, p) => {
        if (!privateKey || connection !== c) privateKey = find(c, p, p.CKO_PRIVATE_KEY);
        if (!privateKey) throw new SignerError(`${who} has no private key labelled "${spec.object}"; put it there with "license-admin keys import --to <uri>"`);
        c.mod.C_SignInit(c.session, { mechanism: CKM_EDDSA }, privateKey);
        return new Uint8Array(c.mod.C_Sign(c.session, Buffer.from(message), Buffer.alloc(64)));
      });
    },
    async importSeed(seed, publicKey) {
      withSession((c, p) => {
        if (find(c, p, p.CKO_PRIVATE_KEY)) throw new SignerError(`${who} already holds a private key labelled "${spec.object}"; choose another object= label or delete that one on the token`);
        const common = [
          { type: p.CKA_KEY_TYPE, value: CKK_EC_EDWARDS }, { type: p.CKA_TOKEN, value: true },
          { type: p.CKA_LABEL, value: spec.object }, { type: p.CKA_EC_PARAMS, value: ED25519_PARAMS },
        ];
        c.mod.C_CreateObject(c.session, [
          { type: p.CKA_CLASS, value: p.CKO_PRIVATE_KEY }, ...common,
          { type: p.CKA_PRIVATE, value: true }, { type: p.CKA_SENSITIVE, value: true }, { type: p.CKA_EXTRACTABLE, value: false },
          { type: p.CKA_SIGN, value: true }, { type: p.CKA_VALUE, value: Buffer.from(seed) },
        ]);
        c.mod.C_CreateObject(c.session, [
          { type: p.CKA_CLASS, value: p.CKO_PUBLIC_KEY }, ...common,
          { type: p.CKA_VERIFY, value: true }, { type: p.CKA_EC_POINT, value: Buffer.concat([Buffer.from([0x04, 0x20]), publicKey]) },
        ]);
      });
    },
    async close() {
      drop(false);
    },
  };
}
