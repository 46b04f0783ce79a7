// /openapi.json against the real responses: every status of every online route a request here provokes
// must be documented, and its body must match the documented schema (test/helpers/json-schema.ts).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createJwsFormat } from '../src/license/jws-format.js';
import { localSigner } from '../src/license/signer.js';
import { mintInTransaction } from '../src/usecases/mint.js';
import { schemaProblems } from './helpers/json-schema.js';
import { startTestServer, type TestServer } from './helpers/server-harness.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ config: { online: { enabled: true, activations: { limit: 1 } } } });
});
afterAll(async () => s?.close());

type Doc = { paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { schema: Record<string, unknown> }> }> }>> };

it('every response the online routes give matches /openapi.json', async () => {
  const doc = (await (await fetch(`${s.url}/openapi.json`)).json()) as Doc;
  const ctx = { config: s.app.deps.config, format: createJwsFormat(undefined), signer: localSigner(s.signer), clock: () => new Date(), random: (n: number) => randomBytes(n), actor: 'test', source: 'server' };
  const { license } = await mintInTransaction(s.store, { tier: 'pro', email: 'o@example.com', features: ['x'] }, ctx, { existing: 'error' });
  const calls: [string, unknown][] = [
    ['/api/v1/licenses/validate', { key: license.licenseKey }],
    ['/api/v1/licenses/validate', { key: license.licenseKey, fingerprint: 'a' }],
    ['/api/v1/licenses/validate', { key: 'DT1-PRO-0000-0000-0000-00000' }],
    ['/api/v1/licenses/validate', { blob: license.blob }],
    ['/api/v1/licenses/validate', { blob: 'garbage' }],
    ['/api/v1/licenses/validate', {}],
    ['/api/v1/licenses/activate', { key: license.licenseKey, fingerprint: 'a', label: 'A' }],
    ['/api/v1/licenses/activate', { key: license.licenseKey, fingerprint: 'a' }],
    ['/api/v1/licenses/activate', { key: license.licenseKey, fingerprint: 'b' }],
    ['/api/v1/licenses/validate', { key: license.licenseKey, fingerprint: 'a' }],
    ['/api/v1/licenses/deactivate', { key: license.licenseKey, fingerprint: 'a' }],
    ['/api/v1/licenses/deactivate', { key: license.licenseKey, activationId: 'act_none' }],
  ];
  const seen = new Set<string>();
  for (const [path, body] of calls) {
    const res = await fetch(`${s.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const documented = doc.paths[path]!.post!.responses[String(res.status)];
    expect(documented, `${path} ${res.status} is documented`).toBeDefined();
    const problems = schemaProblems(documented!.content['application/json']!.schema, await res.json());
    expect(problems, `${path} ${JSON.stringify(body)} → ${res.status}`).toEqual([]);
    seen.add(`${path} ${res.status}`);
  }
  expect([...seen].sort()).toEqual(['/api/v1/licenses/activate 200', '/api/v1/licenses/activate 201', '/api/v1/licenses/activate 409', '/api/v1/licenses/deactivate 200', '/api/v1/licenses/deactivate 404', '/api/v1/licenses/validate 200', '/api/v1/licenses/validate 400']);
  const list = await fetch(`${s.url}/api/v1/revocations`);
  expect(Object.keys(doc.paths['/api/v1/revocations']!.get!.responses[String(list.status)]!.content)).toEqual([list.headers.get('content-type')]);
});

it('the schema checker can fail (an undocumented field, a wrong type)', () => {
  const schema = { type: 'object', properties: { a: { type: 'integer' } }, required: ['a'], additionalProperties: false };
  expect(schemaProblems(schema, { a: 1 })).toEqual([]);
  expect(schemaProblems(schema, { a: '1', b: 2 })).toEqual(['$.a: expected integer, got string', '$.b: not in the schema']);
});
