// Secret comparisons that take the same time whatever the input: hashing first makes lengths equal,
// so not even the secret's length leaks.
import { createHash, timingSafeEqual } from 'node:crypto';

export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
