// The signed revocation list's content, decided once for the server's GET /api/v1/revocations and the CLI's
// `revocations export`: every revoked license of the product (a refund, a dispute, `revoke`; a reinstate takes
// it off) and a seq that only grows, so an app can refuse an older list.
import { revocationClaims, signRevocationList } from '../license/revocation-list.js';
import type { Signer } from '../license/signer.js';
import type { LedgerTx } from './ledger-port.js';

export const DEFAULT_LIST_DAYS = 7;

export interface SignedList {
  product: string;
  seq: number;
  revoked: number;
  expiresAt: string;
  list: string;
}

/** Reads the product's revocations in one transaction, then signs outside it (a remote signer can be slow). */
export async function buildRevocationList(
  read: <T>(fn: (tx: Pick<LedgerTx, 'revocations'>) => Promise<T>) => Promise<T>,
  product: string,
  signer: Signer,
  now: Date,
  validDays = DEFAULT_LIST_DAYS,
): Promise<SignedList> {
  const { seq, revokedKeys } = await read((tx) => tx.revocations(product));
  const claims = revocationClaims({ product, seq, now, validDays, revokedKeys });
  return { product, seq, revoked: revokedKeys.length, expiresAt: new Date(claims.exp * 1000).toISOString(), list: await signRevocationList(claims, signer) };
}
