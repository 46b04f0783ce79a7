// SIGHUP: re-read config.json into the running server. Only what is read per request can change; the rest
// (signing, mail, templates) was built at start and is kept as it was, named in the log line.
import { loadConfig, type Config } from '../config/config.js';
import { UserError } from '../errors.js';
import type { Logger } from './logger.js';

/** What SIGHUP can change without a restart; the rest is built once at start (signing, mail, templates). */
const NEEDS_RESTART = ['product', 'prefix', 'format', 'keyStorage', 'templatesDir', 'smtp'] as const;

/** Re-reads config.json; a file that does not load leaves the running config as it was. */
export function reloadConfig(file: string, running: Config, log: Logger, apply: (c: Config) => void): Config {
  let fresh: Config | null;
  try {
    fresh = loadConfig(file);
    if (!fresh) throw new UserError(`${file} is missing`);
  } catch (error) {
    log.error('config reload failed; keeping the running config', { error: (error as Error).message });
    return running;
  }
  const ignored = NEEDS_RESTART.filter((k) => JSON.stringify((fresh as unknown as Record<string, unknown>)[k]) !== JSON.stringify((running as unknown as Record<string, unknown>)[k]));
  // The settings that need a restart stay as they were, so the running server stays consistent.
  const applied = { ...fresh, ...Object.fromEntries(NEEDS_RESTART.map((k) => [k, running[k as keyof Config]])) } as Config;
  apply(applied);
  log.info('config reloaded', { productMapRules: applied.productMap?.length ?? 0, needsRestart: ignored.join(',') || null });
  return applied;
}
