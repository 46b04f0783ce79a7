// Runs an async step over many items with at most `limit` in flight, results in input order. Remote signers
// answer in milliseconds each; 10,000 re-signings one after another would be 10,000 round trips end to end.
import type { SignerBackend } from '../license/signer.js';

export async function mapBounded<T, R>(items: readonly T[], limit: number, step: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await step(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** How many signatures to ask for at once: one for a key in this process (nothing to overlap), more for a remote one. */
export function signingConcurrency(backend: SignerBackend, env: Record<string, string | undefined> = {}): number {
  const fromEnv = Number(env.LICENSE_ADMIN_SIGN_CONCURRENCY);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return Math.min(fromEnv, 256);
  return backend === 'local' ? 1 : 16;
}
