// Where things live. LICENSE_ADMIN_HOME puts everything in one directory; otherwise the platform's
// config and data directories (XDG on Linux).
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface Paths {
  configDir: string;
  dataDir: string;
  configFile: string;
  keysFile: string;
  keyFilesDir: string;
  ledgerFile: string;
}

export type Env = Record<string, string | undefined>;

export function resolvePaths(env: Env, platform: NodeJS.Platform = process.platform, ledgerFlag?: string): Paths {
  let configDir: string;
  let dataDir: string;
  if (env.LICENSE_ADMIN_HOME) {
    configDir = dataDir = env.LICENSE_ADMIN_HOME;
  } else {
    const home = env.HOME || env.USERPROFILE || homedir();
    if (platform === 'darwin') {
      configDir = dataDir = join(home, 'Library', 'Application Support', 'license-admin');
    } else if (platform === 'win32') {
      configDir = join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'license-admin');
      dataDir = join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'license-admin');
    } else {
      configDir = join(env.XDG_CONFIG_HOME || join(home, '.config'), 'license-admin');
      dataDir = join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'license-admin');
    }
  }
  return {
    configDir,
    dataDir,
    configFile: join(configDir, 'config.json'),
    keysFile: join(configDir, 'keys.json'),
    keyFilesDir: join(configDir, 'keys'),
    ledgerFile: ledgerFlag || env.LICENSE_ADMIN_LEDGER || join(dataDir, 'ledger.sqlite'),
  };
}
