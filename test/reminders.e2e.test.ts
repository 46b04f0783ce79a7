// `license-admin reminders --dry-run [--json]` (the built binary): who the server would remind now.
import { expect, test } from 'vitest';
import { runCli } from './helpers/cli.js';
import { setupPortalHome } from './helpers/portal-home.js';
import { startSmtp } from './helpers/smtp.js';

test('reminders --dry-run lists the license near its end, --json is one document, without --dry-run it is a usage error', async () => {
  const smtp = await startSmtp();
  try {
    const { home, env } = await setupPortalHome({ enabled: true }, {}, smtp.port);
    const cli = (args: string[]) => runCli(args, { home, env });
    const soon = (await cli(['mint', '--tier', 'pro', '--email', 'soon@example.com', '--json'])).stdout;
    const later = (await cli(['mint', '--tier', 'pro', '--email', 'later@example.com', '--json'])).stdout;
    const key = (JSON.parse(soon) as { licenseKey?: string; license?: { licenseKey: string } });
    const soonKey = key.license?.licenseKey ?? key.licenseKey!;
    const until = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10);
    const renewed = await cli(['renew', soonKey, '--until', until, '--shorten', '--json']);
    expect(renewed.exitCode, renewed.stderr).toBe(0);
    const r = await cli(['reminders', '--dry-run', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { enabled: boolean; reminderDays: number[]; reminders: { licenseKey: string; daysBefore: number; alreadySent: boolean }[] };
    expect(doc.enabled).toBe(true);
    expect(doc.reminderDays).toEqual([30, 7]);
    expect(doc.reminders.map((x) => [x.licenseKey, x.daysBefore, x.alreadySent])).toEqual([[soonKey, 7, false]]);
    expect(later).not.toContain(soonKey);
    const human = await cli(['reminders', '--dry-run']);
    expect(human.stdout).toContain(soonKey);
    expect(human.stdout).toContain('would send');
    expect((await cli(['reminders'])).exitCode).toBe(2);
  } finally {
    await smtp.close();
  }
}, 60_000);
