// Picks the blob format from the config: the built-in JWS, or a plugin module (see format-plugin.ts).
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { Config } from '../config/config.js';
import { resolvePaths } from '../config/paths.js';
import type { LicenseFormat } from './format.js';
import { createJwsFormat } from './jws-format.js';

export const BUILTIN_FORMAT = 'jws';

export function isBuiltinFormat(spec: string | undefined): boolean {
  return spec === undefined || spec.trim() === '' || spec.trim() === BUILTIN_FORMAT;
}

/** Where private keys may sit on disk: our key files and the OS keyrings' stores. */
export function keyLocations(configDir: string, env: Record<string, string | undefined>): string[] {
  const home = env.HOME || homedir();
  const paths = resolvePaths(env);
  return [
    join(configDir, 'keys'),
    paths.keyFilesDir,
    join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'keyrings'),
    join(home, '.local', 'share', 'keyrings'),
    join(home, 'Library', 'Keychains'),
  ];
}

export async function loadFormat(config: Config, configDir: string, env: Record<string, string | undefined> = process.env): Promise<LicenseFormat> {
  if (isBuiltinFormat(config.format)) return createJwsFormat(config.blobTag ?? undefined);
  const spec = config.format.trim();
  const { loadPluginFormat } = await import('./plugin-format.js');
  return loadPluginFormat({
    path: isAbsolute(spec) ? spec : resolve(configDir, spec),
    label: spec,
    protectedPaths: keyLocations(configDir, env),
    env,
  });
}
