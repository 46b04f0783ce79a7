import { UserError } from '../../errors.js';
import type { ServerStore } from '../store.js';

export const PostgresStore = {
  connect(_url: string, _o: { random: (n: number) => Uint8Array }): ServerStore {
    throw new UserError('PostgreSQL support is being built');
  },
};
