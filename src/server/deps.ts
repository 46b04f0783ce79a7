// Everything the server's routes and workers need, passed in (tests build it with a temp store and a
// fixed clock; `serve` builds it from the CLI's app context).
import type { Config } from '../config/config.js';
import type { Env } from '../config/paths.js';
import type { PublicKey } from '../keys/key-store.js';
import type { SigningKey } from '../license/ed25519-key.js';
import type { Signer } from '../license/signer.js';
import type { LicenseFormat } from '../license/format.js';
import type { Logger } from './logger.js';
import type { RetryPolicy } from './fulfilment/retry-policy.js';
import type { MailSender } from './mail-sender.js';
import type { ServerStore } from '../stores/store.js';
import type { IncomingMessage } from 'node:http';
import type { RateLimits } from './rate-limit.js';
import type { PortalPages } from '../portal/pages.js';

export interface ServerDeps {
  store: ServerStore;
  config: Config;
  env: Env;
  clock: () => Date;
  random: (n: number) => Uint8Array;
  format: LicenseFormat;
  /** The server's signer (a key in this process or a remote backend, license/signer.ts). */
  signer: () => Promise<Signer | SigningKey>;
  /** Another product's own key (its signingKid), for servers that sell several products. */
  signerFor?: (kid: string) => Promise<Signer | SigningKey>;
  /** Another product's format (plugins are loaded once per product); absent: jws only. */
  formatFor?: (config: Config) => Promise<LicenseFormat>;
  publicKeys: () => Promise<PublicKey[]> | PublicKey[];
  log: Logger;
  /** Turns a freshly minted license into its mail and sends outbox messages; null = no mail configured. */
  mail: MailSender | null;
  /** Request bodies above this get 413 (default 1 MiB). */
  maxBodyBytes?: number;
  /** Background polling for work left by another replica or a crash (default 1000 ms). */
  pollIntervalMs?: number;
  /** How often the reminder task looks for licenses near their end (default 60 s). */
  reminderIntervalMs?: number;
  /** How a failing order backs off and when it is given up (default: fulfilment/retry-policy.ts). */
  fulfilmentRetry?: RetryPolicy;
  /** Rate limits shared by every replica (createApp builds them on the store unless given). */
  rateLimits: RateLimits;
  /** The client's address (createApp: from LICENSE_ADMIN_TRUSTED_PROXIES unless given). */
  clientIp: (req: IncomingMessage) => string;
  /**
   * The server's public URL for links in mail (LICENSE_ADMIN_PUBLIC_URL; else the address `serve` listens
   * on, once it listens). createApp fills it.
   */
  publicUrl: () => URL;
  /** The portal's page templates (config.templatesDir overrides); absent: the built-in pages. */
  portalPages?: PortalPages;
  /** Set by createApp: tells the background workers there is new work. */
  wake?: () => void;
}

/** What createApp is given: the shared parts it can build itself are optional. */
export type ServerInput = Omit<ServerDeps, 'rateLimits' | 'clientIp' | 'publicUrl'> & Partial<Pick<ServerDeps, 'rateLimits' | 'clientIp' | 'publicUrl'>>;
