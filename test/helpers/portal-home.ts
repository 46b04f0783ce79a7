// A `serve` home with the portal turned on: config.json gets a `portal` section (docs/PORTAL.md).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PortalConfig } from '../../src/portal/portal-settings.js';
import { setupServeHome, type ServeHome } from './serve-process.js';

export async function setupPortalHome(portal: PortalConfig, env: Record<string, string>, smtpPort: number, extra: Record<string, unknown> = {}): Promise<ServeHome> {
  const home = await setupServeHome(env, smtpPort);
  const file = join(home.home, '.license-admin', 'config.json');
  const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, `${JSON.stringify({ ...config, productName: 'DashTool', supportEmail: 'help@dashtool.example', ...extra, portal }, null, 2)}\n`);
  return home;
}
