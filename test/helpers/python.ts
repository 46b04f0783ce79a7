// Finds a Python interpreter that can `import cryptography` (used to cross-check signatures independently of Node).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);
let cached: Promise<string> | undefined;

export function findPythonWithCryptography(): Promise<string> {
  cached ??= (async () => {
    const tried: string[] = [];
    for (const candidate of ['/usr/bin/python3', 'python3']) {
      try {
        await execFileP(candidate, ['-c', 'import cryptography'], { timeout: 30_000 });
        return candidate;
      } catch (err) {
        const e = err as NodeJS.ErrnoException & { stderr?: string };
        tried.push(`${candidate}: ${e.code === 'ENOENT' ? 'not found' : (e.stderr?.trim().split('\n').pop() ?? e.message)}`);
      }
    }
    throw new Error(
      `No Python 3 with the 'cryptography' module (tried ${tried.join('; ')}). ` +
        'Install it with: apt-get install -y python3-cryptography',
    );
  })();
  // Don't cache a failure, so a test can install and retry.
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}
