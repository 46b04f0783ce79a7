// One error shape for every route: { error: { code, message, requestId } }. Handlers throw httpError();
// anything else thrown is a bug and becomes a 500 without its message (it might hold personal data).
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function httpError(status: number, code: string, message: string, headers?: Record<string, string>): HttpError {
  return new HttpError(status, code, message, headers);
}

export function errorBody(code: string, message: string, requestId: string): { error: { code: string; message: string; requestId: string } } {
  return { error: { code, message, requestId } };
}
