// The sign-in link: for an address with licenses (none forgotten), a single-use token bound to that email
// and its purpose, mailed through the outbox; for any other address, nothing. Runs after the answer
// (portal-jobs.ts), so the answer says and takes the same for both.
import type { ServerDeps } from '../server/deps.js';
import { portalSettings } from './portal-settings.js';
import { hashSecret, newSecret, SIGN_IN_PURPOSE } from './secrets.js';

/** `base` + `path`, keeping a path prefix the public URL may have (https://example.com/licenses/). */
export function publicLink(base: URL, path: string, params: Record<string, string> = {}): string {
  const root = new URL(base.toString().endsWith('/') ? base.toString() : `${base.toString()}/`);
  const url = new URL(path.replace(/^\//, ''), root);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

export async function sendSignInLink(deps: ServerDeps, email: string): Promise<boolean> {
  const sender = deps.mail;
  if (!sender?.portalMail) return false;
  const licenses = (await deps.store.findByEmail(email)).filter((l) => !l.forgottenAt && l.blob);
  if (licenses.length === 0) return false;
  const now = deps.clock();
  const { signInMs } = portalSettings(deps.config);
  const token = newSecret(deps.random);
  const hash = hashSecret(token);
  // The address as the ledger has it: the session then matches those licenses exactly.
  const to = licenses[0]!.email;
  await deps.store.portal.addToken({ hash, email: to, purpose: SIGN_IN_PURPOSE, expiresAt: new Date(now.getTime() + signInMs), createdAt: now });
  const link = publicLink(deps.publicUrl!(), '/portal/continue', { token });
  const message = sender.portalMail({
    kind: 'portal-sign-in', to, scope: { link, minutes: Math.round(signInMs / 60_000) }, idempotencyKey: `portal-sign-in:${hash.slice(0, 32)}`, licenseKeys: [], now,
  });
  await deps.store.transaction((tx) => tx.enqueueMail(message));
  deps.wake?.();
  return true;
}
