// The use cases' signing context for a server request or worker: the server's config, format and key.
import type { SigningContext } from '../usecases/context.js';
import type { ServerDeps } from './deps.js';

export async function signingFor(deps: ServerDeps, actor: string): Promise<SigningContext> {
  return { config: deps.config, format: deps.format, clock: deps.clock, random: deps.random, actor, source: 'server', signer: await deps.signer() };
}
