// Webhook intake cost per delivery: verify + parse for each provider, next to the raw floor measured in the
// same run (HMAC of the body + JSON.parse; for Gumroad, URLSearchParams of the body).
// Usage: npm run build && node bench/webhooks.mjs
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { verifyGumroadPing } from '../dist/server/webhooks/gumroad.js';
import { handleLemonSqueezyWebhook } from '../dist/server/webhooks/lemonsqueezy.js';
import { handleStripeWebhook } from '../dist/server/webhooks/stripe.js';
import { planFulfilment } from '../dist/server/webhooks/fulfilment-plan.js';

const N = Number(process.env.N ?? 50000);
const fixture = (p) => readFileSync(new URL(`../fixtures/webhooks/${p}`, import.meta.url));
const rate = (fn) => { fn(Math.min(N, 2000)); const t = performance.now(); fn(N); return N / ((performance.now() - t) / 1000); };
const fmt = (x) => Math.round(x).toLocaleString('en-US').padStart(9);
const row = (name, ours, raw) => console.log(`${name.padEnd(34)} ${fmt(ours)}/s   raw ${fmt(raw)}/s   ours/raw ${(ours / raw).toFixed(2)}`);

const stripeBody = fixture('stripe/checkout.session.completed.json');
const secret = 'whsec_bench_secret';
const now = 1_795_600_300;
const t = now - 5;
const stripeHeader = `t=${t},v1=${createHmac('sha256', secret).update(`${t}.`).update(stripeBody).digest('hex')}`;
row('stripe verify+parse', rate((n) => { for (let i = 0; i < n; i++) if (!handleStripeWebhook(stripeBody, stripeHeader, secret, now).ok) throw new Error('stripe'); }),
  rate((n) => { for (let i = 0; i < n; i++) { createHmac('sha256', secret).update(`${t}.`).update(stripeBody).digest(); JSON.parse(stripeBody.toString('utf8')); } }));

const lsBody = fixture('lemonsqueezy/order_created.json');
const lsSig = createHmac('sha256', secret).update(lsBody).digest('hex');
row('lemon squeezy verify+parse', rate((n) => { for (let i = 0; i < n; i++) if (!handleLemonSqueezyWebhook(lsBody, lsSig, secret).ok) throw new Error('ls'); }),
  rate((n) => { for (let i = 0; i < n; i++) { createHmac('sha256', secret).update(lsBody).digest(); JSON.parse(lsBody.toString('utf8')); } }));

const grBody = fixture('gumroad/sale.form');
const req = { query: 'token=tok', body: grBody, contentType: 'application/x-www-form-urlencoded' };
const secrets = { token: 'tok', sellerId: 'kL0psVL2admJSYRNs-OCMg==' };
row('gumroad verify+parse', rate((n) => { for (let i = 0; i < n; i++) if (!verifyGumroadPing(req, secrets).ok) throw new Error('gumroad'); }),
  rate((n) => { for (let i = 0; i < n; i++) [...new URLSearchParams(grBody.toString('utf8'))]; }));

const sub = (kind, day, periodEnd) => ({ provider: 'stripe', eventId: `${kind}${day}`, kind, orderRef: 'stripe:sub_1', occurredAt: new Date(Date.UTC(2026, 0, 1 + day)).toISOString(), rawType: kind, ...(periodEnd ? { periodEnd } : {}) });
const events = [sub('sale', 0, '2026-02-01T00:00:00Z'), ...Array.from({ length: 24 }, (_, m) => sub('subscription_renewed', 31 * (m + 1), new Date(Date.UTC(2026, m + 2, 1)).toISOString())), sub('subscription_cancelled', 700, '2028-01-01T00:00:00Z')];
const license = { revokedAt: null, revokeReason: null, expiresAt: '2027-12-01T00:00:00.000Z' };
row('plan (26 events, 2-year subscription)', rate((n) => { for (let i = 0; i < n; i++) planFulfilment({ events, license }); }),
  rate((n) => { for (let i = 0; i < n; i++) events.map((e) => Date.parse(e.occurredAt)).sort((a, b) => a - b); }));
