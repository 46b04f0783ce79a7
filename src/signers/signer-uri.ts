// LICENSE_ADMIN_SIGNER: which remote signer to use, as a URI (pure parsing). Secrets never go in it: the PIN
// comes from LICENSE_ADMIN_PKCS11_PIN, Vault's token from VAULT_TOKEN, cloud credentials the SDKs' usual way.
import { UserError } from '../errors.js';
import type { SignerBackend } from '../license/signer.js';

export const SIGNER_ENV = 'LICENSE_ADMIN_SIGNER';

export type SignerSpec =
  | { kind: 'pkcs11'; label: string; token: string; object: string; modulePath: string }
  | { kind: 'vault'; label: string; baseUrl: string; mount: string; name: string }
  | { kind: 'aws-kms'; label: string; keyId: string; region: string | null }
  | { kind: 'gcp-kms'; label: string; name: string };

export type RemoteBackend = Exclude<SignerBackend, 'local'>;

const FORMS = 'pkcs11:token=<label>;object=<label>?module-path=<.so>, vault+https://host:port/<mount>/keys/<name>, awskms:<key id or ARN>, gcpkms:projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>/cryptoKeyVersions/<n>';

function bad(what: string): UserError {
  return new UserError(`${SIGNER_ENV}: ${what} (the forms: ${FORMS})`);
}

export function parseSignerUri(text: string): SignerSpec {
  const uri = text.trim();
  if (uri.startsWith('pkcs11:')) return parsePkcs11(uri);
  if (uri.startsWith('vault+https://') || uri.startsWith('vault+http://')) return parseVault(uri);
  if (uri.startsWith('awskms:')) return parseAws(uri.slice('awskms:'.length));
  if (uri.startsWith('gcpkms:')) return parseGcp(uri.slice('gcpkms:'.length));
  throw bad(`"${uri.split(':')[0]?.slice(0, 20) ?? ''}:" is not a signer this tool knows`);
}

/** RFC 7512: path attributes split by ";", query attributes by "&", values percent-encoded. */
function parsePkcs11(uri: string): SignerSpec {
  const [path = '', query = ''] = uri.slice('pkcs11:'.length).split('?', 2);
  const attrs = new Map<string, string>();
  for (const part of [...path.split(';'), ...query.split('&')]) {
    if (!part) continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw bad(`"${part.slice(0, 30)}" in the PKCS#11 URI is not name=value`);
    const name = part.slice(0, eq);
    let value: string;
    try {
      value = decodeURIComponent(part.slice(eq + 1));
    } catch {
      throw bad(`the PKCS#11 URI attribute ${name} is not valid percent-encoding`);
    }
    attrs.set(name, value);
  }
  if (attrs.has('pin-value') || attrs.has('pin-source')) throw bad('the PIN does not go in the URI; set LICENSE_ADMIN_PKCS11_PIN');
  const token = attrs.get('token');
  const object = attrs.get('object');
  const modulePath = attrs.get('module-path');
  if (!token) throw bad('the PKCS#11 URI needs token=<label>');
  if (!object) throw bad('the PKCS#11 URI needs object=<label> (the key\'s label)');
  if (!modulePath) throw bad('the PKCS#11 URI needs ?module-path=<path of the PKCS#11 library>, e.g. /usr/lib/softhsm/libsofthsm2.so');
  return { kind: 'pkcs11', token, object, modulePath, label: `pkcs11:token=${token};object=${object}` };
}

function parseVault(uri: string): SignerSpec {
  let url: URL;
  try {
    url = new URL(uri.slice('vault+'.length));
  } catch {
    throw bad('the Vault URI is not a URL');
  }
  if (url.username || url.password) throw bad('the Vault token does not go in the URI; set VAULT_TOKEN');
  if (url.search || url.hash) throw bad('the Vault URI takes no query or fragment');
  const match = /^\/(.+)\/keys\/([^/]+)\/?$/.exec(decodeURIComponent(url.pathname));
  if (!match) throw bad('the Vault URI\'s path is /<mount>/keys/<key name>, e.g. vault+https://vault:8200/transit/keys/license');
  const baseUrl = `${url.protocol}//${url.host}`;
  return { kind: 'vault', baseUrl, mount: match[1]!, name: match[2]!, label: `vault+${baseUrl}/${match[1]}/keys/${match[2]}` };
}

function parseAws(keyId: string): SignerSpec {
  if (!/^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+|alias\/[A-Za-z0-9/_-]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/.test(keyId)) {
    throw bad('awskms: takes a key id, an alias/<name> or a key ARN');
  }
  const region = keyId.startsWith('arn:') ? keyId.split(':')[3]! : null;
  return { kind: 'aws-kms', keyId, region, label: `awskms:${keyId}` };
}

function parseGcp(name: string): SignerSpec {
  if (!/^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+\/cryptoKeyVersions\/\d+$/.test(name)) {
    throw bad('gcpkms: takes projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>/cryptoKeyVersions/<n>');
  }
  return { kind: 'gcp-kms', name, label: `gcpkms:${name}` };
}
