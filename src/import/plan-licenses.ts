// Planning licenses from logs and exports: new, present (same key, same data), conflicting (same key,
// different data, field by field), skipped (the same line twice). Pure: the ledger and the blob check
// come in as functions.
import { sameInstant } from './dates.js';
import { eventsForRecord, type BlobCheck, type ImportDefaults } from './import-events.js';
import type { KnownLicense, LicenseIndex, PendingLicenses } from './license-index.js';
import type { LicenseRecord } from './license-record.js';
import type { FieldDiff, ImportPlan } from './plan.js';

type Comparable = 'name' | 'email' | 'tier' | 'issuedAt' | 'expiresAt' | 'blob' | 'product' | 'updatesUntil' | 'gumroadOrderId' | 'orderRef' | 'revokedAt' | 'revokeReason' | 'notes';

const ALWAYS: Comparable[] = ['name', 'email', 'tier', 'issuedAt', 'expiresAt', 'blob'];
const IF_PRESENT: Comparable[] = ['product', 'updatesUntil', 'gumroadOrderId', 'orderRef', 'revokedAt', 'revokeReason', 'notes'];
const DATES = new Set<Comparable>(['issuedAt', 'expiresAt', 'updatesUntil', 'revokedAt']);

export function diffLicense(record: LicenseRecord, known: KnownLicense): FieldDiff[] {
  const diffs: FieldDiff[] = [];
  for (const field of [...ALWAYS, ...IF_PRESENT.filter((f) => record[f] !== undefined)]) {
    const mine = (record[field] ?? null) as string | null;
    const theirs = (known[field] ?? null) as string | null;
    const same = DATES.has(field) ? sameInstant(mine, theirs) : field === 'email' ? mine?.toLowerCase() === theirs?.toLowerCase() : mine === theirs;
    if (!same) diffs.push({ field, ledger: theirs, file: mine });
  }
  return diffs;
}

export function knownFrom(r: LicenseRecord, product: string): KnownLicense {
  return {
    licenseKey: r.licenseKey, product: r.product ?? product, name: r.name, email: r.email, tier: r.tier, issuedAt: r.issuedAt,
    expiresAt: r.expiresAt, updatesUntil: r.updatesUntil ?? null, blob: r.blob, gumroadOrderId: r.gumroadOrderId ?? null,
    orderRef: r.orderRef ?? null, revokedAt: r.revokedAt ?? null, revokeReason: r.revokeReason ?? null, notes: r.notes ?? null,
  };
}

export class LicensePlanner {
  /** Where each key was first seen in this run, by upper-cased key. */
  private readonly seen = new Map<string, string>();

  constructor(
    private readonly plan: ImportPlan,
    private readonly ledger: LicenseIndex,
    private readonly pending: PendingLicenses,
    private readonly defaults: ImportDefaults,
    private readonly checkBlob: (record: LicenseRecord) => BlobCheck,
  ) {}

  /** Returns the reason when the row is invalid (the caller decides whether that stops the run). */
  add(file: string, line: number, record: LicenseRecord): string | null {
    const key = record.licenseKey;
    const earlier = this.seen.get(key.toUpperCase());
    if (earlier) {
      const diffs = diffLicense(record, this.pending.byKey(key)!);
      if (diffs.length === 0) {
        this.plan.counts.skipped++;
        this.plan.skipped.push({ file, line, licenseKey: key, reason: `the same license as ${earlier}` });
      } else this.conflict(file, line, key, earlier, diffs);
      return null;
    }
    const existing = this.ledger.byKey(key);
    if (existing) {
      this.seen.set(key.toUpperCase(), `${file}:${line}`);
      const diffs = diffLicense(record, existing);
      if (diffs.length === 0) this.plan.counts.present++;
      else this.conflict(file, line, key, 'ledger', diffs);
      return null;
    }
    for (const [column, id] of [['gumroad_order_id', record.gumroadOrderId], ['order_ref', record.orderRef]] as const) {
      const owner = id ? this.pending.byOrderId(id) : null;
      if (owner) return this.invalid(file, line, key, `${column} "${id}" already belongs to ${owner.licenseKey}`);
    }
    this.seen.set(key.toUpperCase(), `${file}:${line}`);
    this.plan.events.push(...eventsForRecord(record, this.defaults, this.checkBlob(record)));
    this.pending.add(knownFrom(record, this.defaults.product));
    this.plan.counts.new++;
    return null;
  }

  invalid(file: string, line: number, licenseKey: string | undefined, reason: string): string {
    this.plan.counts.invalid++;
    this.plan.invalid.push({ file, line, reason, ...(licenseKey ? { licenseKey } : {}) });
    return reason;
  }

  private conflict(file: string, line: number, licenseKey: string, against: string, fields: FieldDiff[]): void {
    this.plan.counts.conflicting++;
    this.plan.conflicts.push({ file, line, licenseKey, against, fields });
  }
}
