import type { AppContext } from '../cli/app-context.js';
import { outColor } from '../cli/colors.js';
import { statusText, table } from '../cli/render.js';
import { safeCell, safeText } from '../cli/terminal-text.js';
import { fitRows, terminalColumns } from '../cli/table-fit.js';
import { UserError } from '../errors.js';
import { looksLikeLicenseKey } from '../license/license-key.js';
import { toView } from '../ledger/license-view.js';
import type { LedgerEvent } from '../ledger/events.js';
import type { LicenseRow } from '../ledger/project.js';
import { requireLicense } from '../usecases/find-license.js';
import { projectActivations } from '../ledger/activations.js';

export async function showCommand(target: string, app: AppContext): Promise<void> {
  const ledger = await app.ledger();
  const now = app.clock();
  const byKey = looksLikeLicenseKey(target) && !target.includes('@');
  // A read of one row: the ledger itself, no transaction (nor the store's modules) needed.
  const rows: LicenseRow[] = byKey ? [await requireLicense({ getLicense: async (k) => ledger.getLicense(k), missingLicense: app.missingLicense }, target)] : ledger.findByEmail(target);
  if (rows.length === 0) throw new UserError(`no licenses for ${target}; try "license-admin search ${target.split('@')[0]}"`, { code: 'not_found' });
  const withEvents = rows.map((row) => ({ row, events: ledger.eventsFor(row.licenseKey).map(({ seq: _seq, ...e }) => e) }));
  if (app.json) {
    const views = withEvents.map(({ row, events }) => ({ ...toView(row, now), activations: projectActivations(events).map(({ id, label, activatedAt }) => ({ id, label, activatedAt })), events }));
    return app.out.json(looksLikeLicenseKey(target) && !target.includes('@') ? views[0] : views);
  }
  for (const { row, events } of withEvents) {
    app.out.data(outColor.bold(safeText(row.licenseKey)));
    const fields: [string, string][] = [
      ['Status', statusText(row, now)],
      ['Name', row.name || '-'],
      ['Email', row.email || (row.forgottenAt ? '(forgotten)' : '-')],
      ['Tier', row.tier],
      ['Product', row.product],
      ['Issued', row.issuedAt],
      ['Expires', row.expiresAt ?? 'never (lifetime)'],
      ...(row.updatesUntil ? [['Updates until', row.updatesUntil] as [string, string]] : []),
      ...(row.seats !== null ? [['Seats', String(row.seats)] as [string, string]] : []),
      ...(row.features.length ? [['Features', row.features.join(', ')] as [string, string]] : []),
      ...(row.gumroadOrderId || row.orderRef ? [['Order', row.orderRef ?? row.gumroadOrderId ?? ''] as [string, string]] : []),
      ['Key id', row.kid ?? '-'],
      ['Source', `${row.source}${row.verified ? '' : ' (unverified legacy blob)'}`],
    ];
    const active = projectActivations(events);
    if (active.length) fields.push(['Activations', active.map((a) => `${a.id}${a.label ? ` (${a.label})` : ''}`).join(', ')]);
    const lines = fields.map(([k, v]) => field(k, safeCell(v)));
    // Several notes are one per line, each indented under the label (never a line of its own at column 0).
    if (row.notes) lines.push(field('Notes', row.notes.split('\n').map((note) => safeText(note)).join('\n')));
    app.out.data(lines.join('\n'));
    const head = ['When', 'What', 'Who', 'Details'];
    app.out.data(`\n  History:\n${table(head, fitRows(head, events.map(describeEvent), terminalColumns(), [0, 1]))}\n`);
  }
}

const LABEL_WIDTH = 14;

/** "  Label         value", with the later lines of a multi-line value (several notes) under the first. */
function field(label: string, value: string): string {
  return `  ${label.padEnd(LABEL_WIDTH)}${value.split('\n').join(`\n${' '.repeat(2 + LABEL_WIDTH)}`)}`;
}

function describeEvent(e: LedgerEvent): string[] {
  const d = e.data;
  const details: Record<string, string> = {
    minted: `${String(d.tier)}, expires ${d.expiresAt ? String(d.expiresAt).slice(0, 10) : 'never'}`,
    imported: `from ${e.source}${d.verified === false ? ' (unverified)' : ''}`,
    renewed: `until ${String(d.expiresAt ?? '').slice(0, 10)}`,
    revoked: String(d.reason ?? ''),
    note_added: String(d.text ?? ''),
    forgotten: 'personal data erased',
    order_contested: contestDetails(e),
    activated: `${String(d.activationId)}${d.label ? ` (${String(d.label)})` : ''}`,
    deactivated: `${String(d.activationId)}${d.reason ? ` (${String(d.reason)})` : ''}`,
    activations_reset: `${String(d.count ?? '')} seat(s) freed`,
  };
  return [e.at.replace('T', ' ').slice(0, 19), e.type.replace('_', ' '), e.actor, details[e.type] ?? (d.to ? `to ${String(d.to)}` : '')];
}

function contestDetails(e: LedgerEvent): string {
  if (e.type !== 'order_contested') return '';
  const orders = Array.isArray(e.data.orderIds) ? e.data.orderIds.join(', ') : '';
  return e.data.keptBy === e.licenseKey
    ? `order ${orders} also claimed by ${String(e.data.droppedBy)}; this license keeps it (minted first)`
    : `order ${orders} also claimed by ${String(e.data.keptBy)} (minted first), which keeps it; this license no longer claims it`;
}
