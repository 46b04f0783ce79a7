// License mail: mint + queue in the outbox (one transaction) + deliver through SMTP, against a local
// smtp-server in this process. Printed next to a raw nodemailer send loop of the same messages, same run.
//  (a) paced at RATE/s (default 20): latency from "minted" (commit) to "accepted by SMTP" (250), p50/p99
//  (b) unpaced: messages/s for COUNT mints+sends, and the same messages through raw nodemailer
// Usage: npm run build && node bench/mail.mjs   (COUNT=1000 RATE=20 RAW_PACED=200 to change sizes)
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { DEFAULT_CONFIG } from '../dist/config/config.js';
import { Ledger } from '../dist/ledger/ledger.js';
import { signingKeyFromSeed } from '../dist/license/ed25519-key.js';
import { createJwsFormat } from '../dist/license/jws-format.js';
import { SqliteLedgerStore } from '../dist/stores/sqlite-ledger-store.js';
import { mintLicense } from '../dist/usecases/mint.js';
import { composeLicenseMail, newMessageId } from '../dist/mail/compose.js';
import { deliverDue } from '../dist/mail/deliver.js';
import { SqliteOutbox } from '../dist/mail/sqlite-outbox.js';
import { loadTemplates } from '../dist/mail/template-files.js';
import { createSmtpTransport } from '../dist/mail/transport.js';

const COUNT = Number(process.env.COUNT ?? 1000);
const RATE = Number(process.env.RATE ?? 20);
const RAW_PACED = Number(process.env.RAW_PACED ?? 200);
const IN_FLIGHT = 10;
const CONNECTIONS = 5;
const FROM = 'Bench <licenses@bench.test>';

const server = new SMTPServer({
  logger: false, authOptional: true, disabledCommands: ['STARTTLS'], size: 0,
  onData(stream, _session, cb) {
    stream.on('end', () => cb());
    stream.resume();
  },
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.server.address().port;
const settings = { host: '127.0.0.1', port, tls: 'none', from: FROM, origin: 'config' };

const dir = mkdtempSync(join(tmpdir(), 'bench-mail-'));
const ledger = new Ledger(join(dir, 'ledger.sqlite'));
const store = new SqliteLedgerStore(ledger, { random: randomBytes, actor: 'bench', source: 'bench', missingLicense: (k) => k });
const ctx = {
  config: { ...DEFAULT_CONFIG, product: 'bench', productName: 'Bench' }, format: createJwsFormat('BENCH'), clock: () => new Date(),
  random: (n) => randomBytes(n), actor: 'bench', source: 'bench', signer: signingKeyFromSeed(randomBytes(32)),
};
const outbox = new SqliteOutbox(ledger, { random: ctx.random, actor: 'bench', source: 'bench' });
const templates = loadTemplates(undefined, dir);
const sample = [];

/** mint + compose + enqueue in one transaction (the mint use case queues it); returns the outbox id. */
async function mintAndQueue(i) {
  const mail = (license) => {
    const now = ctx.clock();
    const message = composeLicenseMail({ kind: 'license', licenses: [license], productName: 'Bench', supportEmail: 'help@bench.test', templates,
      idempotencyKey: `mint:${license.licenseKey}`, messageId: newMessageId(FROM, now, ctx.random), now });
    if (sample.length < COUNT) sample.push(message);
    return message;
  };
  const result = await store.transaction((tx) => mintLicense(tx, { tier: 'pro', email: `buyer${i}@example.com`, name: `Buyer ${i}` }, ctx, { existing: 'error', mail }));
  return result.mail.id;
}

/** At most `max` in flight; acquire() waits for a free slot, so minting never runs ahead of sending. */
function semaphore(max) {
  let active = 0;
  const waiting = [];
  return {
    async acquire() {
      while (active >= max) await new Promise((r) => waiting.push(r));
      active++;
    },
    release() {
      active--;
      waiting.shift()?.();
    },
  };
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const summary = (ms) => {
  const s = [...ms].sort((a, b) => a - b);
  return `p50 ${pct(s, 50).toFixed(1)} ms, p99 ${pct(s, 99).toFixed(1)} ms, max ${s[s.length - 1].toFixed(1)} ms`;
};
const sleepUntil = (t) => new Promise((r) => setTimeout(r, Math.max(0, t - performance.now())));

/** Ours: each message minted, queued, then delivered by the outbox worker right after the commit. */
async function ours(count, rate) {
  const transport = createSmtpTransport(settings, { pool: true, maxConnections: CONNECTIONS });
  const slots = semaphore(IN_FLIGHT);
  const latencies = [];
  const failures = [];
  const start = performance.now();
  const pending = [];
  for (let i = 0; i < count; i++) {
    if (rate) await sleepUntil(start + (i * 1000) / rate);
    await slots.acquire();
    const id = await mintAndQueue(i);
    const minted = performance.now();
    pending.push((async () => {
      const [r] = await deliverDue(outbox, transport, () => new Date(), { ids: [id] });
      if (r?.status === 'sent') latencies.push(performance.now() - minted);
      else failures.push(r?.failure?.message ?? 'not claimed');
    })().finally(() => slots.release()));
  }
  await Promise.all(pending);
  const seconds = (performance.now() - start) / 1000;
  transport.close();
  if (failures.length) throw new Error(`${failures.length} not sent: ${failures[0]}`);
  return { latencies, seconds };
}

/** Raw: nodemailer alone (same pool, same in-flight cap), sending already-composed messages. */
async function raw(messages, rate) {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: CONNECTIONS, maxMessages: Infinity });
  const slots = semaphore(IN_FLIGHT);
  const latencies = [];
  const start = performance.now();
  const pending = [];
  for (let i = 0; i < messages.length; i++) {
    if (rate) await sleepUntil(start + (i * 1000) / rate);
    await slots.acquire();
    const m = messages[i];
    const t0 = performance.now();
    pending.push(t.sendMail({ from: FROM, to: m.to, subject: m.subject, text: m.text, html: m.html, messageId: m.messageId, attachments: m.attachments })
      .then(() => latencies.push(performance.now() - t0))
      .finally(() => slots.release()));
  }
  await Promise.all(pending);
  const seconds = (performance.now() - start) / 1000;
  t.close();
  return { latencies, seconds };
}

console.log(`mail bench: ${COUNT} license mails to smtp-server on 127.0.0.1:${port} (pool of ${CONNECTIONS} connections, ${IN_FLIGHT} in flight)\n`);
const unpaced = await ours(COUNT, 0);
const rawUnpaced = await raw(sample.slice(0, COUNT), 0);
console.log('(b) unpaced throughput');
console.log(`  ours: mint + outbox + send   ${(COUNT / unpaced.seconds).toFixed(0).padStart(6)} messages/s  (${unpaced.seconds.toFixed(2)} s; minted->accepted ${summary(unpaced.latencies)})`);
console.log(`  raw nodemailer send loop     ${(COUNT / rawUnpaced.seconds).toFixed(0).padStart(6)} messages/s  (${rawUnpaced.seconds.toFixed(2)} s)`);
console.log(`  ratio ours/raw: ${(rawUnpaced.seconds / unpaced.seconds).toFixed(2)}\n`);

const paced = await ours(COUNT, RATE);
const rawPaced = await raw(sample.slice(0, RAW_PACED), RATE);
console.log(`(a) paced at ${RATE} messages/s`);
console.log(`  ours: minted -> accepted by SMTP (${COUNT} msgs)  ${summary(paced.latencies)}   goal p99 < 1000 ms: ${pct([...paced.latencies].sort((a, b) => a - b), 99) < 1000 ? 'met' : 'MISSED'}`);
console.log(`  raw nodemailer send -> accepted (${RAW_PACED} msgs)  ${summary(rawPaced.latencies)}`);

ledger.close();
server.close();
rmSync(dir, { recursive: true, force: true });
