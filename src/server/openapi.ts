// The OpenAPI 3.1 document of the online license API, served at /openapi.json. test/openapi.test.ts checks
// the real responses against it, so it cannot drift from the routes.
const str = { type: 'string' } as const;
const nullable = (schema: object) => ({ anyOf: [schema, { type: 'null' }] });
const obj = (properties: Record<string, object>, required = Object.keys(properties)) => ({ type: 'object', properties, required, additionalProperties: false });

const activation = obj({ id: str, label: str, activatedAt: str });
const license = obj({
  key: str, product: str, tier: str, expiresAt: nullable(str), seats: nullable({ type: 'integer' }), features: { type: 'array', items: str },
  activations: obj({ used: { type: 'integer' }, limit: nullable({ type: 'integer' }) }),
});
const error = obj({ code: str, message: str, requestId: str });
const refusal = obj({ status: str, error });
const json = (schema: object, description: string) => ({ description, content: { 'application/json': { schema } } });
const body = (schema: object) => ({ required: true, content: { 'application/json': { schema } } });
const errors = { 400: json(obj({ error }), 'bad input'), 404: json({ anyOf: [refusal, obj({ error })] }, 'unknown license, or the online API is off'), 429: json(obj({ error }), 'rate limited (Retry-After)') };

export const OPENAPI = {
  openapi: '3.1.0',
  info: { title: 'license-admin online license API', version: '1' },
  paths: {
    '/api/v1/licenses/validate': {
      post: {
        summary: 'How a license stands: by key (+ email, + this machine), or by blob',
        requestBody: body({ type: 'object', properties: { key: str, email: str, fingerprint: str, blob: str }, additionalProperties: true }),
        responses: {
          200: json(obj({
            status: { enum: ['valid', 'expired', 'revoked', 'unknown', 'machine_unknown', 'invalid_key', 'invalid'] }, valid: { type: 'boolean' },
            reason: str, detail: str, license: nullable(license), activation: nullable(activation),
          }, ['status', 'valid', 'license', 'activation']), 'the status in words'),
          ...errors,
        },
      },
    },
    '/api/v1/licenses/activate': {
      post: {
        summary: 'Take a seat for this machine; answered with a signed lease (docs/FORMAT.md section 7)',
        requestBody: body(obj({ key: str, fingerprint: str, label: str }, ['key', 'fingerprint'])),
        responses: {
          201: json(obj({ status: { const: 'activated' }, created: { type: 'boolean' }, activation, replaced: { type: 'array', items: str }, lease: str, leaseExpiresAt: str, license }), 'a new activation'),
          200: json(obj({ status: { const: 'activated' }, created: { type: 'boolean' }, activation, replaced: { type: 'array', items: str }, lease: str, leaseExpiresAt: str, license }), 'this machine was already active: a fresh lease'),
          403: json(refusal, 'revoked or expired'),
          409: json(refusal, 'too_many_machines'),
          ...errors,
        },
      },
    },
    '/api/v1/licenses/deactivate': {
      post: {
        summary: 'Free a seat (by activation id or by fingerprint)',
        requestBody: body(obj({ key: str, activationId: str, fingerprint: str }, ['key'])),
        responses: { 200: json(obj({ status: { const: 'deactivated' }, activation, license }), 'the seat is free'), ...errors },
      },
    },
    '/api/v1/revocations': {
      get: {
        summary: 'The signed revocation list (docs/FORMAT.md section 8)',
        parameters: [{ name: 'product', in: 'query', required: false, schema: str }],
        responses: { 200: { description: 'the compact JWS', content: { 'application/jose': { schema: str } } }, 404: json(obj({ error }), 'off, or no such product') },
      },
    },
  },
} as const;
