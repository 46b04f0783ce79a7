// An example format plugin for a typical hand-rolled Ed25519 license format:
//
//   DTLIC2:<base64(JSON payload)>.<base64(Ed25519 signature over the payload bytes)>
//
// The payload uses the shipped app's own field names; this module maps them to and from license-admin's
// claims (v, iss, sub, name, email, tier, iat, exp, ...). Configure it in config.json:
//   "format": "./dtlic2-format.mjs"       (relative to the config directory, or an absolute path)
// It never sees the private key: `signer.sign(bytes)` is all it gets. See docs/FORMAT-PLUGINS.md.
// Type hints for editors: /** @type {import('license-admin/format').FormatPlugin} */

const PREFIX = 'DTLIC2:';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function strictBase64(text, what) {
  if (!BASE64.test(text) || text.length % 4 !== 0) throw new Error(`the ${what} is not base64`);
  return Buffer.from(text, 'base64');
}

/** @type {import('license-admin/format').FormatPlugin} */
export default {
  name: 'dtlic2',

  encode(claims, signer) {
    // Field order is fixed, so the same license always gives the same bytes.
    const payload = {
      license_key: claims.sub,
      product: claims.iss,
      edition: claims.tier,
      name: claims.name,
      email: claims.email,
      issued_at: claims.iat,
      expires_at: claims.exp ?? null,
      ...(claims.updates_until !== undefined ? { updates_until: claims.updates_until } : {}),
      ...(claims.seats !== undefined ? { seats: claims.seats } : {}),
      ...(claims.features !== undefined ? { features: claims.features } : {}),
    };
    const bytes = Buffer.from(JSON.stringify(payload), 'utf8');
    const signature = signer.sign(bytes);
    return `${PREFIX}${bytes.toString('base64')}.${Buffer.from(signature).toString('base64')}`;
  },

  decode(blob) {
    const text = blob.trim();
    if (!text.startsWith(PREFIX)) throw new Error(`does not start with ${PREFIX}`);
    const parts = text.slice(PREFIX.length).split('.');
    if (parts.length !== 2) throw new Error('expected <payload>.<signature>');
    const signedBytes = strictBase64(parts[0], 'payload');
    const signature = strictBase64(parts[1], 'signature');
    const p = JSON.parse(signedBytes.toString('utf8'));
    const claims = {
      v: 1,
      iss: p.product,
      sub: p.license_key,
      name: p.name,
      email: p.email,
      tier: p.edition,
      iat: p.issued_at,
      ...(p.expires_at !== null && p.expires_at !== undefined ? { exp: p.expires_at } : {}),
      ...(p.updates_until !== undefined ? { updates_until: p.updates_until } : {}),
      ...(p.seats !== undefined ? { seats: p.seats } : {}),
      ...(p.features !== undefined ? { features: p.features } : {}),
    };
    return { claims, signedBytes, signature };
  },
};
