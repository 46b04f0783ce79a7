// Portal sessions: a random id in an HttpOnly cookie, only its hash on the server (portal-store.ts), ended
// by "Sign out" or after sessionMinutes. A session belongs to one email and sees only that email's licenses.
import type { IncomingMessage } from 'node:http';
import type { ServerDeps } from '../server/deps.js';
import { newCsrfSecret } from './csrf.js';
import { cookiesOf, setCookie, SESSION_COOKIE } from './http.js';
import { portalSettings } from './portal-settings.js';
import { hashSecret, looksLikeSecret, newSecret } from './secrets.js';

export interface Session {
  hash: string;
  email: string;
  csrfSecret: string;
}

export const secureCookies = (deps: ServerDeps): boolean => deps.publicUrl!().protocol === 'https:';

export async function currentSession(req: IncomingMessage, deps: ServerDeps): Promise<Session | null> {
  const id = cookiesOf(req)[SESSION_COOKIE];
  if (!looksLikeSecret(id)) return null;
  const hash = hashSecret(id);
  const found = await deps.store.portal.session(hash, deps.clock());
  return found ? { hash, email: found.email, csrfSecret: found.csrfSecret } : null;
}

/** A new session for `email`; returns it and its Set-Cookie. */
export async function startSession(deps: ServerDeps, email: string): Promise<{ session: Session; cookie: string }> {
  const id = newSecret(deps.random);
  const now = deps.clock();
  const { sessionMs } = portalSettings(deps.config);
  const session = { hash: hashSecret(id), email, csrfSecret: newCsrfSecret() };
  await deps.store.portal.addSession({ ...session, expiresAt: new Date(now.getTime() + sessionMs), createdAt: now });
  return { session, cookie: setCookie(SESSION_COOKIE, id, { secure: secureCookies(deps), maxAgeSeconds: Math.floor(sessionMs / 1000) }) };
}
