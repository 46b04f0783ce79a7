// The --json document of `import` and `reconcile` (a scripting contract: see docs/IMPORT.md). Pure.
import type { ApplyResult } from './apply.js';
import type { ImportPlan } from './plan.js';

export interface ImportReport {
  dryRun: boolean;
  written: boolean;
  files: ImportPlan['files'];
  counts: ImportPlan['counts'];
  eventsPlanned: number;
  eventsWritten: number;
  unverified: number;
  invalid: ImportPlan['invalid'];
  conflicts: ImportPlan['conflicts'];
  skipped: ImportPlan['skipped'];
  sales: ImportPlan['sales'] & { minted: ApplyResult['minted']; revoked: ApplyResult['revoked'] };
}

export function importReport(plan: ImportPlan, applied: ApplyResult | null, dryRun: boolean, unverified: number): ImportReport {
  return {
    dryRun,
    written: applied !== null && applied.eventsWritten > 0,
    files: plan.files,
    counts: plan.counts,
    eventsPlanned: plan.events.length,
    eventsWritten: applied?.eventsWritten ?? 0,
    unverified,
    invalid: plan.invalid,
    conflicts: plan.conflicts,
    skipped: plan.skipped,
    sales: { ...plan.sales, minted: applied?.minted ?? [], revoked: applied?.revoked ?? [] },
  };
}

export interface ReconcileReport {
  file: string;
  counts: { sales: number; matched: number; missing: number; alreadyExpired: number; unmapped: number; refundedActive: number; conflicting: number; invalid: number; skipped: number };
  missing: ImportPlan['sales']['missing'];
  unmapped: ImportPlan['sales']['unmapped'];
  refundedActive: ImportPlan['sales']['refundedActive'];
  conflicts: ImportPlan['conflicts'];
  invalid: ImportPlan['invalid'];
  skipped: ImportPlan['skipped'];
}

export function reconcileReport(file: string, plan: ImportPlan): ReconcileReport {
  const s = plan.sales;
  return {
    file,
    counts: {
      sales: s.sales, matched: s.matched, missing: s.missing.length, alreadyExpired: s.alreadyExpired, unmapped: s.unmapped.length, refundedActive: s.refundedActive.length,
      conflicting: plan.counts.conflicting, invalid: plan.counts.invalid, skipped: plan.counts.skipped,
    },
    missing: s.missing, unmapped: s.unmapped, refundedActive: s.refundedActive, conflicts: plan.conflicts, invalid: plan.invalid, skipped: plan.skipped,
  };
}

/** What the run was asked to do, as far as "could anything be imported?" goes. */
export interface ImportIntent {
  /** import writes (or, with --dry-run, would write); reconcile only reads. */
  writes: boolean;
  mintMissing: boolean;
}

/**
 * Rows were found but not one could be used: the run failed, whatever it wrote (nothing). A row cannot be
 * used when it is invalid; for `import` also when it conflicts with the ledger (nothing is written for it)
 * and, with --mint-missing, when it is a sale with no tier mapping (nothing can be minted for it). Returns
 * the message, or null when at least one row is new, present or matched (or nothing failed at all).
 */
export function nothingImportable(plan: ImportPlan, intent: ImportIntent): string | null {
  const c = plan.counts;
  const rows = plan.files.reduce((n, f) => n + f.rows, 0);
  const unmapped = intent.mintMissing ? plan.sales.unmapped.length : 0;
  const conflicting = intent.writes ? c.conflicting : 0;
  const usable = c.new - unmapped + c.present + (intent.writes ? 0 : c.conflicting);
  if (rows === 0 || c.invalid + conflicting + unmapped === 0 || usable > 0) return null;
  const parts = [
    c.invalid ? `${c.invalid} invalid` : '',
    conflicting ? `${conflicting} conflicting with the ledger` : '',
    unmapped ? `${unmapped} with no tier mapping` : '',
    c.skipped ? `${c.skipped} skipped` : '',
  ].filter(Boolean);
  return `none of the ${rows} row(s) could be imported: ${parts.join(', ')}; the first: ${firstFailure(plan, conflicting > 0, unmapped > 0)}`;
}

function firstFailure(plan: ImportPlan, conflicts: boolean, unmapped: boolean): string {
  const candidates: { file: string; line: number; reason: string }[] = [...plan.invalid];
  if (conflicts) {
    for (const k of plan.conflicts) {
      const fields = k.fields.map((f) => f.field).join(', ');
      candidates.push({ file: k.file, line: k.line, reason: `${k.licenseKey} differs from the ${k.against === 'ledger' ? 'ledger' : `row at ${k.against}`} (${fields})` });
    }
  }
  if (unmapped) candidates.push(...plan.sales.unmapped);
  const first = candidates.reduce((a, b) => (b.file === a.file ? (b.line < a.line ? b : a) : a));
  return `${first.file}:${first.line}: ${first.reason}`;
}
