// GET /.well-known/jwks.json: the public keys blobs are signed with (RFC 7517), for apps that fetch them.
// Each key names the products it signs (`products`, an extra member that JWK readers ignore), so an app of
// one product can pick its keys out of a server that sells several.
import { productsOf } from '../../config/products.js';
import type { Router } from '../router.js';

export function registerJwksRoutes(router: Router): void {
  router.add('GET', '/.well-known/jwks.json', async ({ deps }) => {
    const activeKid = (await deps.signer()).kid;
    const products = productsOf(deps.config);
    const keys = (await deps.publicKeys()).map((k) => ({
      kty: k.kty, crv: k.crv, x: k.x, kid: k.kid, use: 'sig', alg: 'EdDSA',
      products: products.filter((p) => (p.signingKid ?? activeKid) === k.kid).map((p) => p.id),
    }));
    return { status: 200, json: { keys }, headers: { 'cache-control': 'public, max-age=300' } };
  });
}
