// revocations export: the product's signed revocation list from the local ledger (docs/FORMAT.md section 8),
// to ship with an app update or host anywhere. The same use case as the server's GET /api/v1/revocations.
import { writeFileSync } from 'node:fs';
import type { AppContext } from '../cli/app-context.js';
import { chooseProduct, configForProduct } from '../config/products.js';
import { buildRevocationList } from '../usecases/revocation-list.js';

export async function revocationsExportCommand(opts: { output?: string; product?: string }, app: AppContext): Promise<void> {
  const product = chooseProduct(app.config(), opts.product);
  const ctx = await app.signing(product);
  const days = configForProduct(app.config(), product).online?.revocationListDays;
  const store = await app.store();
  const signed = await buildRevocationList((read) => store.transaction(read), product, ctx.signer, app.clock(), days);
  if (opts.output) writeFileSync(opts.output, `${signed.list}\n`, { mode: 0o644 });
  if (app.json) return app.out.json({ product, seq: signed.seq, revoked: signed.revoked, expiresAt: signed.expiresAt, ...(opts.output ? { file: opts.output } : { list: signed.list }) });
  if (opts.output) return app.out.info(`Wrote the revocation list of ${product} (seq ${signed.seq}, ${signed.revoked} revoked, valid until ${signed.expiresAt}) to ${opts.output}.`);
  app.out.data(signed.list);
}
