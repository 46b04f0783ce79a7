// GET /.well-known/jwks.json: the public keys blobs are signed with (RFC 7517), for apps that fetch them.
import type { Router } from '../router.js';

export function registerJwksRoutes(router: Router): void {
  router.add('GET', '/.well-known/jwks.json', async ({ deps }) => {
    const keys = (await deps.publicKeys()).map((k) => ({ kty: k.kty, crv: k.crv, x: k.x, kid: k.kid, use: 'sig', alg: 'EdDSA' }));
    return { status: 200, json: { keys }, headers: { 'cache-control': 'public, max-age=300' } };
  });
}
