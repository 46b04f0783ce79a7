// The signed revocation list's content, decided once for the server's GET /api/v1/revocations and the CLI's
// `revocations export`: every revoked license of the product (a refund, a dispute, `revoke`; a reinstate takes
// it off) and a seq that only grows, so an app can refuse an older list.
import type { SigningKey } from '../license/ed25519-key.js';
import { revocationClaims, signRevocationList } from '../license/revocation-list.js';
import type { LedgerTx } from './ledger-port.js';

export const DEFAULT_LIST_DAYS = 7;

export interface SignedList {
  product: string;
  seq: number;
  revoked: number;
  expiresAt: string;
  list: string;
}

export async function buildRevocationList(tx: Pick<LedgerTx, 'revocations'>, product: string, signer: SigningKey, now: Date, validDays = DEFAULT_LIST_DAYS): Promise<SignedList> {
  const { seq, revokedKeys } = await tx.revocations(product);
  const claims = revocationClaims({ product, seq, now, validDays, revokedKeys });
  return { product, seq, revoked: revokedKeys.length, expiresAt: new Date(claims.exp * 1000).toISOString(), list: signRevocationList(claims, signer) };
}
