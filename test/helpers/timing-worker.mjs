// Times portal sign-in posts from another thread, so the server's own event loop (in the test process)
// does not stall the client reading the answer: the times are what a client on another machine sees.
import { parentPort, workerData } from 'node:worker_threads';

const { base, rounds } = workerData;
const times = { known: [], unknown: [], sequence: [] };
let ip = 0;
for (const round of rounds) {
  for (const which of round.order ?? ['known', 'unknown']) {
    const headers = { 'x-forwarded-for': `192.0.2.${++ip % 250}` };
    const page = await fetch(`${base}/portal`, { headers });
    const html = await page.text();
    const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)[1];
    const started = performance.now();
    const res = await fetch(`${base}/portal`, {
      method: 'POST', headers: { ...headers, cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, email: round[which] }).toString(),
    });
    const body = await res.text();
    times.sequence.push(which);
    times[which].push({ ms: performance.now() - started, status: res.status, length: body.length });
    // Let the server finish the known address's mail (and the test's own SMTP server parse it, in the server's
    // process) before the next request: that later work is not what the answer to this one reveals.
    await new Promise((r) => setTimeout(r, workerData.pauseMs ?? 20));
  }
}
parentPort.postMessage(times);
