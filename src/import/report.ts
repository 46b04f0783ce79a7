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

/**
 * Rows were found but not one could be used (every one invalid, or skipped): the run failed, whatever it
 * wrote (nothing). The message, or null when at least one row is new, present or conflicting.
 */
export function nothingImportable(plan: ImportPlan): string | null {
  const c = plan.counts;
  const rows = plan.files.reduce((n, f) => n + f.rows, 0);
  if (rows === 0 || c.invalid === 0 || c.new + c.present + c.conflicting > 0) return null;
  const first = plan.invalid[0]!;
  return `none of the ${rows} row(s) could be imported: ${c.invalid} invalid${c.skipped ? `, ${c.skipped} skipped` : ''}; the first: ${first.file}:${first.line}: ${first.reason}`;
}
