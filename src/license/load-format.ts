// Picks the blob format from the config: the built-in JWS, or a plugin module (see format-plugin.ts).
import type { Config } from '../config/config.js';
import type { LicenseFormat } from './format.js';
import { createJwsFormat } from './jws-format.js';

export async function loadFormat(config: Config, _configDir: string): Promise<LicenseFormat> {
  return createJwsFormat(config.blobTag ?? undefined);
}
