// CSRF tokens (pillarjs `csrf`): a secret per session (stored with it) or, before sign-in, per browser in
// an HttpOnly cookie; every form carries a token made from that secret, checked on every POST.
import Tokens from 'csrf';

const tokens = new Tokens();

export const newCsrfSecret = (): string => tokens.secretSync();
export const csrfToken = (secret: string): string => tokens.create(secret);
export const csrfValid = (secret: string | undefined, token: string | undefined): boolean =>
  typeof secret === 'string' && typeof token === 'string' && secret.length > 0 && tokens.verify(secret, token);
