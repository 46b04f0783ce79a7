// Two kinds of failure: UserError (the user can fix it: message only, exit 1) and bugs (stack, exit 70).
// Each carries a stable code for `--json` error objects (README, scripting contract).
export type ErrorCode = 'usage' | 'user_error' | 'not_found' | 'conflict' | 'unavailable' | 'cancelled' | 'internal';

export class UserError extends Error {
  readonly exitCode: number;
  readonly code: ErrorCode;
  constructor(message: string, options: { exitCode?: number; code?: ErrorCode; cause?: unknown } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'UserError';
    this.exitCode = options.exitCode ?? 1;
    this.code = options.code ?? (this.exitCode === 2 ? 'usage' : 'user_error');
  }
}

/** A command line that does not parse: exit 2. */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message, { exitCode: 2 });
    this.name = 'UsageError';
  }
}

export const EXIT = { ok: 0, user: 1, usage: 2, revoked: 3, bug: 70, cancelled: 130 } as const;
