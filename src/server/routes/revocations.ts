// GET /api/v1/revocations?product=<id>: the product's signed revocation list (docs/FORMAT.md section 8) as
// application/jose, the compact JWS as the body. 404 unless the product's online API is on.
import { onlinePolicy } from '../../config/online.js';
import { configForProduct, productIds } from '../../config/products.js';
import { FOREGROUND_BUSY_WAIT_MS } from '../../stores/store.js';
import { buildRevocationList } from '../../usecases/revocation-list.js';
import { httpError } from '../http-error.js';
import type { Router } from '../router.js';
import { signingFor } from '../signing-context.js';

export function registerRevocationRoutes(router: Router): void {
  router.add('GET', '/api/v1/revocations', async (ctx) => {
    const ids = productIds(ctx.deps.config);
    const asked = ctx.url.searchParams.get('product') ?? (ids.length === 1 ? ids[0]! : null);
    if (asked === null) throw httpError(400, 'missing_field', `say which product: ?product= one of ${ids.join(', ')}`);
    const product = ids.find((id) => id === asked);
    if (!product || !onlinePolicy(configForProduct(ctx.deps.config, product), ctx.deps.env)) throw httpError(404, 'not_found', `no revocation list for product "${asked}" on this server`);
    const { signer } = await signingFor(ctx.deps, 'online', product);
    const days = configForProduct(ctx.deps.config, product).online?.revocationListDays;
    const signed = await buildRevocationList((read) => ctx.deps.store.transaction(read, { busyWaitMs: FOREGROUND_BUSY_WAIT_MS }), product, signer, ctx.deps.clock(), days);
    return { status: 200, text: signed.list, headers: { 'content-type': 'application/jose', 'cache-control': 'public, max-age=300', 'x-revocation-seq': String(signed.seq) } };
  });
}
