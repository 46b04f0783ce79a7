// Read -> plan: streams each file through the planners; nothing is written here.
import { statSync } from 'node:fs';
import type { Config, ProductMapping } from '../config/config.js';
import { UserError } from '../errors.js';
import { detectDelimiter, detectFormat } from './detect.js';
import { mapGumroadHeader } from './gumroad-columns.js';
import { gumroadSaleFrom } from './gumroad-sale.js';
import type { BlobCheck, ImportDefaults } from './import-events.js';
import { PendingLicenses, type LicenseIndex } from './license-index.js';
import { licenseRecordFrom, type LicenseRecord } from './license-record.js';
import { emptyPlan, type ExpiryFrom, type ImportFormat, type ImportPlan } from './plan.js';
import { LicensePlanner } from './plan-licenses.js';
import { SalesPlanner } from './plan-sales.js';
import { slashDateOrder } from './slash-order.js';
import { FORMULA_GUARDS, readCsv } from './read-csv.js';
import { readJsonl } from './read-jsonl.js';
import { tierForSale } from './tier-map.js';

export interface PlanInputs {
  files: string[];
  format?: ImportFormat;
  strict?: boolean;
  ledger: LicenseIndex;
  config: Config;
  productMap: ProductMapping[];
  defaultTier?: string;
  defaults: ImportDefaults;
  checkBlob: (record: LicenseRecord) => BlobCheck;
  now: Date;
  /** Where a minted license's duration starts (--from); the purchase by default. */
  expiryFrom?: ExpiryFrom;
  onProgress?: (file: string, rows: number, fraction: number) => void;
}

export async function buildPlan(inputs: PlanInputs): Promise<ImportPlan> {
  const plan = emptyPlan();
  const pending = new PendingLicenses(inputs.ledger);
  const licenses = new LicensePlanner(plan, inputs.ledger, pending, inputs.defaults, inputs.checkBlob);
  const sales = new SalesPlanner(plan, {
    index: pending, product: inputs.config.product, now: inputs.now, expiryFrom: inputs.expiryFrom ?? 'purchase',
    tierFor: (sale) => tierForSale(sale, inputs.config, inputs.productMap, inputs.defaultTier),
  });
  const formats = inputs.files.map((file) => ({ file, format: inputs.format ?? detectFormat(file) }));
  // Logs and exports first, so sales in the same run can match the licenses they bring.
  formats.sort((a, b) => Number(a.format === 'gumroad-csv') - Number(b.format === 'gumroad-csv'));
  for (const { file, format } of formats) {
    const size = Math.max(1, statSync(file).size);
    let rows = 0;
    const progress = (bytes: number) => inputs.onProgress?.(file, rows, Math.min(1, bytes / size));
    const invalid = (line: number, reason: string, key?: string) => {
      licenses.invalid(file, line, key, reason);
      if (inputs.strict) throw new UserError(`${file}:${line}: ${reason} (--strict stops at the first bad row; nothing was written)`);
    };
    try {
      if (format === 'jsonl') {
        for await (const row of readJsonl(file, progress)) {
          rows++;
          if ('error' in row) invalid(row.line, row.error);
          else addRecord(row.line, row.fields);
        }
      } else {
        let header: string[] | null = null;
        let columns: ReturnType<typeof mapGumroadHeader> | null = null;
        const csv = { delimiter: detectDelimiter(file), formulaGuard: FORMULA_GUARDS[format === 'gumroad-csv' ? 'gumroad' : 'license-admin'] };
        const slashOrder = format === 'gumroad-csv' ? await slashDateOrder(file, csv) : 'mdy';
        for await (const { line, cells } of readCsv(file, { ...csv, onBytes: progress })) {
          if (!header) {
            header = cells.map((c) => c.trim());
            if (format === 'gumroad-csv') {
              columns = mapGumroadHeader(header);
              if (!columns.ok) throw new UserError(`${file}:${line}: ${columns.reason}`);
            } else if (!header.includes('license_key')) throw new UserError(`${file}:${line}: no "license_key" column; is this a license-admin export?`);
            continue;
          }
          rows++;
          if (columns?.ok) {
            const result = gumroadSaleFrom(cells, columns.columns, line, inputs.now, slashOrder);
            if (result.kind === 'totals') {
              plan.counts.skipped++;
              plan.skipped.push({ file, line, reason: 'the Totals row' });
            } else if (result.kind === 'invalid') invalid(line, result.reason);
            else sales.add(file, result.sale);
          } else addRecord(line, fieldsByHeader(header, cells));
        }
      }
    } catch (error) {
      if (error instanceof UserError) throw error;
      const e = error as Error & { code?: string; lines?: number };
      if (e.code?.startsWith('CSV_')) throw new UserError(`${file}:${e.lines ?? '?'}: not readable as CSV (${e.message}); nothing was written`);
      throw error;
    }
    plan.files.push({ file, format, rows });

    function addRecord(line: number, fields: Record<string, unknown>): void {
      const parsed = licenseRecordFrom(fields);
      if (parsed.ok && !inputs.config.tiers.includes(parsed.record.tier)) {
        invalid(line, `tier "${parsed.record.tier}" is not one of the configured tiers (${inputs.config.tiers.join(', ')}); add it to "tiers" in config.json and import again`, parsed.record.licenseKey);
      } else if (!parsed.ok) invalid(line, parsed.reason, typeof fields.license_key === 'string' ? fields.license_key : undefined);
      else {
        const reason = licenses.add(file, line, parsed.record);
        if (reason && inputs.strict) throw new UserError(`${file}:${line}: ${reason} (--strict stops at the first bad row; nothing was written)`);
      }
    }
  }
  sales.finish();
  return plan;
}

/** The first column with a name wins. */
function fieldsByHeader(header: string[], cells: string[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  header.forEach((h, i) => {
    if (!Object.hasOwn(fields, h)) fields[h] = cells[i] ?? '';
  });
  return fields;
}
