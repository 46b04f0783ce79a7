// What applying a batch of events did (every store reports the same).
import type { OrderContest } from './order-claims.js';

export interface ApplyResult {
  inserted: number;
  duplicates: number;
  affectedKeys: string[];
  /** Order contests first noticed by this apply (their events are written too, not counted in `inserted`). */
  contested: OrderContest[];
}
