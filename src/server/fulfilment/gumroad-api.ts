// Gumroad's API, read-only: GET /v2/sales/:id with the creator's access token, the truth about one sale
// (antiwork/gumroad app/controllers/api/v2/sales_controller.rb#show renders `{ success: true, sale }`, and
// `{ success: false, message: "The sale was not found." }` with HTTP 200 for a sale that is not the
// token owner's; the sale is Purchase#as_json(version: 2) in app/models/purchase.rb). The token is sent in
// the Authorization header only, never in a URL, a log line or an error.
import { TransientFulfilmentError } from './retry-policy.js';

export const GUMROAD_API_ENV = { accessToken: 'LICENSE_ADMIN_GUMROAD_ACCESS_TOKEN', baseUrl: 'LICENSE_ADMIN_GUMROAD_API_URL' } as const;
export const DEFAULT_GUMROAD_API = 'https://api.gumroad.com';
const TIMEOUT_MS = 10_000;
const MAX_BYTES = 1024 * 1024;

/** The fields of the API's sale that decide fulfilment (the rest is ignored). */
export interface GumroadSale {
  id: string;
  /** `purchase_email`: the address given at checkout, the one the ping's `email` carries. */
  email?: string;
  fullName?: string;
  productId?: string;
  productName?: string;
  productPermalink?: string;
  /** `variants` (a hash of category → option) as "Pro, Blue", the ping's shape. */
  variantName?: string;
  subscriptionId?: string;
  quantity?: number;
  refunded: boolean;
  partiallyRefunded: boolean;
  /** A chargeback was filed (`disputed: chargedback?`). */
  disputed: boolean;
  /** The chargeback was reversed (`dispute_won: chargeback_reversed?`). */
  disputeWon: boolean;
}

export type SaleLookup = { found: true; sale: GumroadSale } | { found: false };

export interface GumroadApi {
  baseUrl: string;
  accessToken: string;
}

/** The API to confirm pings with, or null when no access token is configured (the feature is opt-in). */
export function gumroadApiFrom(env: Record<string, string | undefined>): GumroadApi | null {
  const accessToken = env[GUMROAD_API_ENV.accessToken]?.trim();
  if (!accessToken) return null;
  return { accessToken, baseUrl: checkedBaseUrl(env[GUMROAD_API_ENV.baseUrl]?.trim() || DEFAULT_GUMROAD_API) };
}

/** https, or http to this machine only (a test server): the access token must not cross a network in clear. */
export function checkedBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${GUMROAD_API_ENV.baseUrl} is not a URL`);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new Error(`${GUMROAD_API_ENV.baseUrl} must be an https:// URL (http:// only for 127.0.0.1 / localhost)`);
  }
  return url.toString().replace(/\/+$/, '');
}

export async function lookUpSale(api: GumroadApi, saleId: string): Promise<SaleLookup> {
  let res: Response;
  try {
    res = await fetch(`${api.baseUrl}/v2/sales/${encodeURIComponent(saleId)}`, {
      headers: { authorization: `Bearer ${api.accessToken}`, accept: 'application/json' },
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: 'error',
    });
  } catch (error) {
    throw new TransientFulfilmentError(`the Gumroad API did not answer (${(error as Error).name}); the ping stays pending`);
  }
  if (res.status === 429 || res.status >= 500) throw new TransientFulfilmentError(`the Gumroad API answered ${res.status}; the ping stays pending`);
  // Not transient: the order backs off and is given up after the attempts (visible in `server events`,
  // back with `server retry` once the token is fixed), rather than waiting for ever on a revoked token.
  if (res.status === 401 || res.status === 403) throw new Error(`the Gumroad API refused ${GUMROAD_API_ENV.accessToken} (HTTP ${res.status}); it needs the view_sales scope`);
  // An unknown sale is HTTP 200 with success: false (base_controller.rb#error_with_object); a 404 is a wrong
  // API address, which says nothing about the sale.
  if (res.status === 404) throw new Error(`the Gumroad API answered HTTP 404 for /v2/sales/:id; check ${GUMROAD_API_ENV.baseUrl}`);
  const body = await readJson(res);
  if (res.status !== 200 || typeof body !== 'object' || body === null) throw new Error(`the Gumroad API answered HTTP ${res.status} with no sale`);
  const answer = body as { success?: unknown; sale?: unknown };
  if (answer.success === false) return { found: false };
  if (answer.success !== true) throw new Error('the Gumroad API answer has no "success" field');
  return { found: true, sale: parseSale(answer.sale, saleId) };
}

async function readJson(res: Response): Promise<unknown> {
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (bytes.length > MAX_BYTES) throw new Error('the Gumroad API answer is larger than 1 MiB');
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch {
    throw new TransientFulfilmentError('the Gumroad API answer is not JSON; the ping stays pending');
  }
}

function parseSale(value: unknown, saleId: string): GumroadSale {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('the Gumroad API answer has no "sale" object');
  const s = value as Record<string, unknown>;
  if (s.id !== saleId) throw new Error(`the Gumroad API answered for another sale than ${saleId}`);
  const text = (name: string) => (typeof s[name] === 'string' && (s[name] as string).trim() !== '' ? (s[name] as string) : undefined);
  const bool = (name: string) => s[name] === true || s[name] === 'true';
  const variants = typeof s.variants === 'object' && s.variants !== null && !Array.isArray(s.variants)
    ? Object.values(s.variants as Record<string, unknown>).filter((v): v is string => typeof v === 'string' && v.trim() !== '')
    : typeof s.variants === 'string' && s.variants.trim() !== '' ? [s.variants] : [];
  const quantity = typeof s.quantity === 'number' && Number.isInteger(s.quantity) && s.quantity > 0 && s.quantity <= 1_000_000 ? s.quantity : undefined;
  const email = text('purchase_email') ?? text('email');
  const fields: Partial<GumroadSale> = {
    ...(email ? { email } : {}),
    ...(text('full_name') ? { fullName: text('full_name')! } : {}),
    ...(text('product_id') ? { productId: text('product_id')! } : {}),
    ...(text('product_name') ? { productName: text('product_name')! } : {}),
    ...(text('product_permalink') ? { productPermalink: text('product_permalink')! } : {}),
    ...(variants.length ? { variantName: variants.join(', ') } : {}),
    ...(text('subscription_id') ? { subscriptionId: text('subscription_id')! } : {}),
    ...(quantity ? { quantity } : {}),
  };
  return {
    id: saleId, ...fields,
    refunded: bool('refunded'), partiallyRefunded: bool('partially_refunded'), disputed: bool('disputed') || bool('chargedback'), disputeWon: bool('dispute_won'),
  };
}
