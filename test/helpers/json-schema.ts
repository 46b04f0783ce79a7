// The subset of JSON Schema src/server/openapi.ts uses (type, properties, required, additionalProperties,
// items, enum, const, anyOf): returns the problems with a value, [] when it conforms.
type Schema = Record<string, unknown>;

export function schemaProblems(schema: Schema, value: unknown, at = '$'): string[] {
  if (Array.isArray(schema.anyOf)) {
    const each = (schema.anyOf as Schema[]).map((s) => schemaProblems(s, value, at));
    return each.some((p) => p.length === 0) ? [] : [`${at}: matches none of anyOf (${each.map((p) => p[0]).join(' | ')})`];
  }
  if ('const' in schema && value !== schema.const) return [`${at}: expected ${JSON.stringify(schema.const)}`];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return [`${at}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`];
  const type = schema.type as string | undefined;
  const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  if (type && !(type === actual || (type === 'number' && actual === 'integer'))) return [`${at}: expected ${type}, got ${actual}`];
  const problems: string[] = [];
  if (type === 'array' && schema.items) (value as unknown[]).forEach((v, i) => problems.push(...schemaProblems(schema.items as Schema, v, `${at}[${i}]`)));
  if (type === 'object') {
    const o = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const r of (schema.required ?? []) as string[]) if (!(r in o)) problems.push(`${at}.${r}: missing`);
    for (const [k, v] of Object.entries(o)) {
      if (props[k]) problems.push(...schemaProblems(props[k], v, `${at}.${k}`));
      else if (schema.additionalProperties === false) problems.push(`${at}.${k}: not in the schema`);
    }
  }
  return problems;
}
