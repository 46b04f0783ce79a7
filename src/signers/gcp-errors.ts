// Google Cloud KMS failures, whichever layer raised them, as one google.rpc status name; and a deadline for
// calls on the REST transport, which does not apply the call option `timeout` itself.
/** google.rpc.Code numbers, for errors that the client decoded itself. */
const RPC_NAMES: Record<number, string> = { 4: 'DEADLINE_EXCEEDED', 5: 'NOT_FOUND', 7: 'PERMISSION_DENIED', 8: 'RESOURCE_EXHAUSTED', 9: 'FAILED_PRECONDITION', 13: 'INTERNAL', 14: 'UNAVAILABLE', 16: 'UNAUTHENTICATED' };
const HTTP_NAMES: Record<number, string> = { 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED' };
export const TRANSIENT_GOOGLE_STATUSES = new Set(['DEADLINE_EXCEEDED', 'RESOURCE_EXHAUSTED', 'INTERNAL', 'UNAVAILABLE', 'TIMEOUT', 'NETWORK']);

export interface GoogleFailure {
  status: string;
  message: string;
}

/**
 * What went wrong, whichever layer raised it: google-gax's GoogleError (a google.rpc.Code), the auth
 * client's GaxiosError (the HTTP status and Google's `{"error": {code, message, status}}` body — on the REST
 * transport an error answer surfaces this way), our timeout, or the network.
 */
export function googleFailure(error: unknown): GoogleFailure {
  const e = error as { code?: unknown; status?: unknown; name?: string; message?: string; response?: { status?: number; data?: unknown }; cause?: { code?: string } };
  if (error instanceof CallTimeout) return { status: 'TIMEOUT', message: error.message };
  type ErrorBody = { error?: { status?: string; message?: string } };
  let body: ErrorBody | null = null;
  for (const candidate of [e?.response?.data, e?.message]) {
    if (body) break;
    if (typeof candidate === 'object' && candidate) body = candidate as ErrorBody;
    else if (typeof candidate === 'string' && candidate.startsWith('{')) {
      try {
        body = JSON.parse(candidate) as ErrorBody;
      } catch {
        body = null;
      }
    }
  }
  const httpStatus = typeof e?.response?.status === 'number' ? e.response.status : typeof e?.status === 'number' ? e.status : null;
  const message = (body?.error?.message ?? e?.message ?? String(error)).split('\n')[0]!.replace(/^\d+ [A-Z_]+: /, '').slice(0, 200);
  if (body?.error?.status) return { status: body.error.status, message };
  if (httpStatus !== null) return { status: HTTP_NAMES[httpStatus] ?? (httpStatus >= 500 ? 'UNAVAILABLE' : `HTTP_${httpStatus}`), message };
  if (typeof e?.code === 'number' && RPC_NAMES[e.code]) return { status: RPC_NAMES[e.code]!, message };
  if (/ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|socket hang up|fetch failed/i.test(`${e?.message ?? ''} ${e?.cause?.code ?? ''} ${String(e?.code ?? '')}`)) return { status: 'NETWORK', message };
  return { status: 'UNKNOWN', message };
}

export class CallTimeout extends Error {}

/** The REST transport does not apply a call's `timeout` here; the race does, and cancels the call. */
export async function withTimeout<T>(call: Promise<T> & { cancel?: () => void }, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([call, new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        call.cancel?.();
        reject(new CallTimeout(`no answer within ${ms} ms`));
      }, ms);
    })]);
  } finally {
    clearTimeout(timer);
  }
}

