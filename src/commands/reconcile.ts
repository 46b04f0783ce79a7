import type { AppContext } from '../cli/app-context.js';
import { UserError } from '../errors.js';
import { detectFormat } from '../import/detect.js';
import { nothingImportable, reconcileReport } from '../import/report.js';
import { failIfNothing, planImport, renderPlan, renderSales, safe } from './import.js';

/** The Gumroad half of `import` as a report: what matches, what is missing, what was refunded. Writes nothing. */
export async function reconcileCommand(file: string, opts: { product?: string }, app: AppContext): Promise<void> {
  const format = detectFormat(file);
  if (format !== 'gumroad-csv') throw new UserError(`${file} is not a Gumroad sales CSV (it looks like ${format === 'jsonl' ? 'a JSONL log' : 'a license-admin export'}); reconcile reads Gumroad exports`, { exitCode: 2 });
  const { plan } = await planImport([file], { format, ...(opts.product !== undefined ? { product: opts.product } : {}) }, app);
  const failure = nothingImportable(plan, { writes: false, mintMissing: false });
  if (app.json) {
    app.out.json({ ...reconcileReport(file, plan), ...(failure ? { error: { code: 'nothing_importable', message: failure } } : {}) });
    return failIfNothing(failure, app);
  }
  renderPlan(plan, app);
  renderSales(plan, null, {}, app);
  if (failure) throw new UserError(safe(failure));
  app.out.info('Reconcile writes nothing; "license-admin import" with --mint-missing / --revoke-refunded acts on this.');
}
