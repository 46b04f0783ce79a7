// Two kinds of failure: UserError (the user can fix it: message only, exit 1) and bugs (stack, exit 70).
export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'UserError';
    this.exitCode = options.exitCode ?? 1;
  }
}

/** A command line that does not parse: exit 2. */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message, { exitCode: 2 });
    this.name = 'UsageError';
  }
}

export const EXIT = { ok: 0, user: 1, usage: 2, bug: 70 } as const;
