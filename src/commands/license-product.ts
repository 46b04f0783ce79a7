// Which product's signing context re-signs a license (renew, edit): the product the license belongs to,
// so a second product's license keeps its own key, format and tiers. A key not (yet) found, or a product no
// longer configured, gets the first product's context and the use case says what is wrong with it.
import type { AppContext } from '../cli/app-context.js';
import { productIds } from '../config/products.js';
import { parseLicenseKey } from '../license/license-key.js';

export async function productOfLicense(app: AppContext, keyInput: string): Promise<string | undefined> {
  const parsed = parseLicenseKey(keyInput);
  if (!parsed.ok) return undefined;
  const row = (await app.ledger()).getLicense(parsed.value.key);
  return row && productIds(app.config()).includes(row.product) ? row.product : undefined;
}
