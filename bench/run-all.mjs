// Runs every benchmark in bench/ one after the other (they share the machine, so never in parallel).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const only = process.argv.slice(2);
const scripts = readdirSync(new URL('.', import.meta.url)).filter((f) => f.endsWith('.mjs') && f !== 'run-all.mjs' && !f.startsWith('.'));
let failed = 0;
for (const script of scripts.sort()) {
  if (only.length && !only.some((o) => script.includes(o))) continue;
  console.log(`\n=== bench/${script}`);
  const r = spawnSync(process.execPath, [new URL(script, import.meta.url).pathname], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
