// The request path's shortcuts keep their meaning: a burst of health probes shares one database check
// (and still reports a database that is down), and requests without a declared body skip body reading
// while chunked bodies are still read in full.
import { describe, expect, it } from 'vitest';
import { GUMROAD_TOKEN, gumroadPing, startTestServer, until } from './helpers/server-harness.js';

describe('request path', () => {
  it('concurrent health probes share one database check; a failing database is still a 503', async () => {
    const s = await startTestServer({});
    try {
      const real = s.store.health.bind(s.store);
      let calls = 0;
      let fail = false;
      s.store.health = async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 50));
        if (fail) throw new Error('database down');
        return real();
      };
      const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`${s.url}/health`).then((r) => r.status)));
      expect(answers).toEqual(Array(20).fill(200));
      expect(calls).toBeLessThan(5);
      fail = true;
      expect((await fetch(`${s.url}/health`)).status).toBe(503);
      // The failed check is not remembered: the next probe checks again.
      fail = false;
      expect((await fetch(`${s.url}/health`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('a chunked webhook body (no Content-Length) is read in full and fulfilled', async () => {
    const s = await startTestServer({});
    try {
      const body = gumroadPing('CHUNKED-1');
      const half = Math.floor(body.length / 2);
      const stream = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(body.slice(0, half)));
          controller.enqueue(new TextEncoder().encode(body.slice(half)));
          controller.close();
        },
      });
      const res = await fetch(`${s.url}/webhooks/gumroad?token=${GUMROAD_TOKEN}`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: stream, duplex: 'half',
      } as RequestInit);
      expect(res.status).toBe(200);
      const license = await until(() => s.store.getByOrderRef('gumroad:CHUNKED-1'), 10_000, 'the chunked sale minted');
      expect(license.email).toBe('buyer-chunked-1@example.com');
    } finally {
      await s.close();
    }
  });
});
