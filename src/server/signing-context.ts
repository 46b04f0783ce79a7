// The use cases' signing context for a server request or worker: the server's config, format and key, or,
// for another product of a config that sells several (config/products.ts), that product's view, key and format.
import { configForProduct } from '../config/products.js';
import type { Config } from '../config/config.js';
import { UserError } from '../errors.js';
import { createJwsFormat } from '../license/jws-format.js';
import type { LicenseFormat } from '../license/format.js';
import { asSigner } from '../license/signer.js';
import type { SigningContext } from '../usecases/context.js';
import type { ServerDeps } from './deps.js';
import { oncePerKey } from './once-per-key.js';

export async function signingFor(deps: ServerDeps, actor: string, product?: string): Promise<SigningContext> {
  const config = product === undefined || product === deps.config.product ? deps.config : configForProduct(deps.config, product);
  const main = asSigner(await deps.signer());
  const kid = config.signingKid;
  if (kid && kid !== main.kid && !deps.signerFor) throw new UserError(`product ${config.product} signs with key ${kid}, which this server cannot load`);
  const signer = kid && kid !== main.kid ? asSigner(await deps.signerFor!(kid)) : main;
  const format = config === deps.config ? deps.format : await formatOf(config, deps);
  return { config, format, clock: deps.clock, random: deps.random, actor, source: 'server', signer };
}

async function formatOf(config: Config, deps: ServerDeps): Promise<LicenseFormat> {
  if (deps.formatFor) return deps.formatFor(config);
  if (config.format === 'jws') return createJwsFormat(config.blobTag ?? undefined);
  throw new UserError(`product ${config.product} uses the format ${config.format}, which this server was not started with`);
}

/** One signing context per product for the length of a piece of work (an order): keys are loaded once. */
export function signingCache(deps: ServerDeps, actor: string): (product?: string) => Promise<SigningContext> {
  return oncePerKey((product?: string) => product ?? deps.config.product, (product) => signingFor(deps, actor, product));
}
