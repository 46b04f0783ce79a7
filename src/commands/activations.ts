// activations list / reset and deactivate: thin over the use cases (src/usecases/activations.ts); the
// events they write sync to the server like every other.
import type { AppContext } from '../cli/app-context.js';
import { color } from '../cli/colors.js';
import { table } from '../cli/render.js';
import { safeCell } from '../cli/terminal-text.js';
import { UserError } from '../errors.js';
import type { Activation } from '../ledger/activations.js';
import { deactivateMachine, listActivations, resetActivations } from '../usecases/activations.js';
import { requireLicense } from '../usecases/find-license.js';

const view = (a: Activation) => ({ id: a.id, label: a.label, activatedAt: a.activatedAt });

export async function activationsListCommand(key: string, app: AppContext): Promise<void> {
  const { license, activations } = await (await app.store()).transaction((tx) => listActivations(tx, key));
  if (app.json) return app.out.json({ licenseKey: license.licenseKey, activations: activations.map(view) });
  if (activations.length === 0) return app.out.info(`${license.licenseKey} is active on no machine.`);
  app.out.data(table(['Activation', 'Label', 'Since'], activations.map((a) => [a.id, safeCell(a.label || '-'), a.activatedAt.replace('T', ' ').slice(0, 19)])));
}

export async function activationsResetCommand(key: string, app: AppContext): Promise<void> {
  const ctx = await app.ops();
  const result = await (await app.store()).transaction((tx) => resetActivations(tx, key, ctx));
  if (app.json) return app.out.json({ licenseKey: result.license.licenseKey, cleared: result.cleared.map(view), changed: result.events.length > 0 });
  app.out.info(result.cleared.length ? color.green(`Freed ${result.cleared.length} seat(s) of ${result.license.licenseKey}.`) : `${result.license.licenseKey} is active on no machine; nothing changed.`);
}

export async function deactivateCommand(key: string, activationId: string, app: AppContext): Promise<void> {
  const ctx = await app.ops();
  const result = await (await app.store()).transaction(async (tx) => {
    const license = await requireLicense(tx, key);
    return deactivateMachine(tx, license.licenseKey, activationId.trim(), ctx);
  });
  if (result.status !== 'deactivated') {
    throw new UserError(`${result.license?.licenseKey ?? key} has no activation ${activationId}; see "license-admin activations list ${result.license?.licenseKey ?? key}"`, { code: 'not_found' });
  }
  if (app.json) return app.out.json({ licenseKey: result.license.licenseKey, deactivated: view(result.activation), activations: result.activations.map(view) });
  app.out.info(color.green(`Deactivated ${result.activation.id} of ${result.license.licenseKey}.`));
}
