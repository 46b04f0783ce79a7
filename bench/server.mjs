// Server benchmark (plain Node, imports dist/): sale-to-mail-accepted latency at 20 and 100 sales/s on the
// SQLite ledger and on PostgreSQL, and GET /health req/s next to a bare node:http server answering the same
// JSON, measured in the same run. Usage: npm run build && node bench/server.mjs
// PostgreSQL: DATABASE_URL, or a throwaway cluster from /usr/lib/postgresql/*/bin (as user postgres when root).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, chownSync } from 'node:fs';
import { createServer, Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { DEFAULT_CONFIG } from '../dist/config/config.js';
import { signingKeyFromSeed } from '../dist/license/ed25519-key.js';
import { createJwsFormat } from '../dist/license/jws-format.js';
import { loadTemplates } from '../dist/mail/template-files.js';
import { createApp } from '../dist/server/app.js';
import { silentLogger } from '../dist/server/logger.js';
import { openStore } from '../dist/server/open-store.js';
import { createSmtpMailSender } from '../dist/server/smtp-mail-sender.js';

const PHASE_SEC = Number(process.env.BENCH_PHASE_SEC ?? 8);
const TOKEN = 'bench-token';

function startSmtp(onMail) {
  const server = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, session, cb) { stream.on('data', () => {}); stream.on('end', () => { for (const r of session.envelope.rcptTo) onMail(r.address); cb(); }); } });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: server.server.address().port, close: () => new Promise((r) => server.close(r)) })));
}

function startPostgres() {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop() {} };
  const bin = '/usr/lib/postgresql/15/bin';
  const dir = mkdtempSync(join(tmpdir(), 'la-bench-pg-'));
  const asPg = process.getuid?.() === 0;
  if (asPg) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
  const run = (cmd, args) => execFileSync(asPg ? 'runuser' : cmd, asPg ? ['-u', 'postgres', '--', cmd, ...args] : args, { stdio: 'ignore' });
  const port = 20000 + Math.floor(Math.random() * 20000);
  run(`${bin}/initdb`, ['-D', `${dir}/data`, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8']);
  run(`${bin}/pg_ctl`, ['-D', `${dir}/data`, '-l', `${dir}/log`, '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop() { run(`${bin}/pg_ctl`, ['-D', `${dir}/data`, '-m', 'immediate', 'stop']); rmSync(dir, { recursive: true, force: true }); } };
}

async function startServer(databaseUrl, smtpPort, dir) {
  const config = { ...DEFAULT_CONFIG, product: 'bench', keyStorage: 'file' };
  const signer = signingKeyFromSeed(randomBytes(32));
  const random = (n) => randomBytes(n);
  const clock = () => new Date();
  const store = await openStore({ databaseUrl, ledgerFile: join(dir, `ledger-${Date.now()}.sqlite`), random });
  const mail = createSmtpMailSender({ settings: { host: '127.0.0.1', port: smtpPort, tls: 'none', from: 'l@bench.example', origin: 'config' },
    templates: loadTemplates(undefined, dir), config, random, clock, log: silentLogger });
  const app = createApp({ store, config, clock, random, log: silentLogger, mail, format: createJwsFormat(undefined),
    env: { LICENSE_ADMIN_GUMROAD_TOKEN: TOKEN, LICENSE_ADMIN_DEFAULT_TIER: 'pro' }, signer: async () => signer, publicKeys: () => [signer.publicJwk] });
  return listen(app.handler, async () => app.close(), () => app.start());
}

function listen(handler, onClose = async () => {}, onStart = () => {}) {
  const server = createServer({ keepAliveTimeout: 5000 }, handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    onStart();
    resolve({ port: server.address().port, async close() { server.closeAllConnections(); await new Promise((r) => server.close(r)); await onClose(); } });
  }));
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });
function send(port, method, path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers: { ...headers, ...(body ? { 'content-length': Buffer.byteLength(body) } : {}) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function healthRps(port, seconds = 5, concurrency = 50) {
  let done = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < end) { await send(port, 'GET', '/health'); done++; }
  }));
  return done / seconds;
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function salesLatency(label, databaseUrl, rate, dir) {
  const sentAt = new Map();
  const latencies = [];
  const smtp = await startSmtp((address) => { const t = sentAt.get(address); if (t !== undefined) { latencies.push(performance.now() - t); sentAt.delete(address); } });
  const server = await startServer(databaseUrl, smtp.port, dir);
  const total = rate * PHASE_SEC;
  const start = performance.now();
  const posts = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const id = `${label}-${rate}-${i}-${randomBytes(3).toString('hex')}`;
    const email = `b-${id.toLowerCase()}@bench.example`;
    const body = new URLSearchParams({ sale_id: id, email, full_name: 'Bench Buyer', product_id: 'p1', product_name: 'Bench', sale_timestamp: new Date().toISOString(), resource_name: 'sale' }).toString();
    sentAt.set(email, performance.now());
    posts.push(send(server.port, 'POST', `/webhooks/gumroad?token=${TOKEN}`, body, { 'content-type': 'application/x-www-form-urlencoded' }));
  }
  await Promise.all(posts);
  const deadline = Date.now() + 30_000;
  while (latencies.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await server.close();
  await smtp.close();
  const sorted = latencies.sort((a, b) => a - b);
  return { label, rate, sent: total, mailed: sorted.length, p50: pct(sorted, 50), p99: pct(sorted, 99) };
}

const dir = mkdtempSync(join(tmpdir(), 'la-bench-'));
const pg = startPostgres();
try {
  console.log(`license-admin server benchmark (${PHASE_SEC} s per sales phase, 127.0.0.1)`);
  console.log('\nsale -> mail accepted by SMTP (Gumroad ping -> webhook -> store -> mint -> outbox -> SMTP)');
  const phases = process.env.BENCH_ONLY_HEALTH ? [] : process.env.BENCH_ONLY_PG ? [['postgres', pg.url]] : [['sqlite', undefined], ['postgres', pg.url]];
  for (const [label, url] of phases) {
    for (const rate of [20, 100]) {
      const r = await salesLatency(label, url, rate, dir);
      console.log(`  ${label.padEnd(8)} ${String(rate).padStart(3)} sales/s: ${r.mailed}/${r.sent} mailed, p50 ${r.p50?.toFixed(0)} ms, p99 ${r.p99?.toFixed(0)} ms`);
    }
  }
  console.log('\nGET /health, 50 concurrent keep-alive requests, 3 rounds of 3 s each');
  const bareBody = JSON.stringify({ status: 'ok', database: 'sqlite' });
  // Interleaved rounds (bare, ours, bare, ours, ...) so both see the same machine load; medians reported.
  const bareRuns = [];
  const oursRuns = [];
  for (let round = 0; round < 3; round++) {
    const bare = await listen((_req, res) => { res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(bareBody) }); res.end(bareBody); });
    bareRuns.push(await healthRps(bare.port, 3));
    await bare.close();
    const smtp = await startSmtp(() => {});
    const ours = await startServer(undefined, smtp.port, dir);
    oursRuns.push(await healthRps(ours.port, 3));
    await ours.close();
    await smtp.close();
  }
  const mid = (xs) => [...xs].sort((a, b) => a - b)[1];
  const [bareRps, oursRps] = [mid(bareRuns), mid(oursRuns)];
  console.log(`  bare node:http        ${bareRps.toFixed(0)} req/s (rounds: ${bareRuns.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`  license-admin sqlite  ${oursRps.toFixed(0)} req/s (${((oursRps / bareRps) * 100).toFixed(0)}% of bare; rounds: ${oursRuns.map((x) => x.toFixed(0)).join(', ')}; goal >= 80%)`);
} finally {
  agent.destroy();
  pg.stop();
  rmSync(dir, { recursive: true, force: true });
}
