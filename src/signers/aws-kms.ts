// AWS KMS through the official client (@aws-sdk/client-kms): an ECC_NIST_EDWARDS25519 key, Sign with
// ED25519_SHA_512 and MessageType RAW (pure Ed25519 over the bytes, what JWS EdDSA needs, not the
// ED25519_PH_SHA_512 prehash variant), GetPublicKey for the SPKI to compare with the pinned key.
// Credentials come the SDK's usual way (environment, profile, SSO, instance role); the SDK retries
// throttling and server errors with its own backoff, and what is left becomes SignerUnavailableError.
// Import is not offered: see ADMIN.md, "AWS KMS and your existing key".
import { createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand, type KMSClientConfig } from '@aws-sdk/client-kms';
import { SignerError, SignerUnavailableError } from '../license/signer.js';
import { callPolicy, type CallPolicy } from './remote-http.js';
import type { Env, RemoteKey } from './remote-key.js';
import type { SignerSpec } from './signer-uri.js';

type AwsSpec = Extract<SignerSpec, { kind: 'aws-kms' }>;

/** Errors that pass: throttled, KMS or a dependency down, the network, a timeout. */
const TRANSIENT = new Set(['ThrottlingException', 'KMSInternalException', 'DependencyTimeoutException', 'KeyUnavailableException', 'TimeoutError', 'RequestTimeout', 'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT']);
const CREDENTIALS = new Set(['UnrecognizedClientException', 'InvalidSignatureException', 'IncompleteSignature', 'MissingAuthenticationToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'CredentialsProviderError']);

interface AwsError {
  name?: string;
  code?: string;
  message?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
}

export function awsClientConfig(spec: AwsSpec, env: Env, policy: CallPolicy): KMSClientConfig {
  const region = spec.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const endpoint = env.AWS_ENDPOINT_URL_KMS ?? env.AWS_ENDPOINT_URL;
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
  return {
    ...(region ? { region } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } } : {}),
    maxAttempts: policy.attempts,
    // Without throwOnRequestTimeout the handler only logs a warning and keeps waiting.
    requestHandler: { requestTimeout: policy.timeoutMs, connectionTimeout: policy.timeoutMs, throwOnRequestTimeout: true },
  };
}

export function openAwsKmsKey(spec: AwsSpec, env: Env, policy: CallPolicy = callPolicy(env)): RemoteKey {
  const who = `AWS KMS key ${spec.label}`;
  // The pinned SDK runs on Node 20; its notice is about later SDK versions (which need Node 22), printed on
  // every CLI run. Moving the pin past January 2027 means moving the project to Node 22 first.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const client = new KMSClient(awsClientConfig(spec, env, policy));

  const explain = (error: unknown, what: string): Error => {
    const e = error as AwsError;
    const name = e?.name ?? '';
    const code = e?.code ?? (error as { cause?: { code?: string } })?.cause?.code ?? '';
    const says = (e?.message ?? '').split('\n')[0]!.slice(0, 200);
    if (name === 'NotFoundException') return new SignerError(`${who} does not exist (or this account cannot see it); create an ECC_NIST_EDWARDS25519 SIGN_VERIFY key and rotate to it (ADMIN.md)`);
    if (CREDENTIALS.has(name) || (name === 'Error' && /credential/i.test(says))) {
      return new SignerError(`${who}: AWS refused the credentials (${name}): they are missing, wrong or expired; set them the SDK's usual way (AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, an instance role); nothing was signed`);
    }
    if (name === 'AccessDeniedException') return new SignerError(`${who}: access denied for ${what} (${says}); the signing role needs kms:Sign and kms:GetPublicKey on this key; nothing was signed`);
    if (name === 'DisabledException' || name === 'KMSInvalidStateException') return new SignerError(`${who} cannot be used now (${name}: ${says}); enable it in KMS; nothing was signed`);
    if (/region is missing/i.test(says)) return new SignerError(`${who}: no AWS region; use the key's ARN in LICENSE_ADMIN_SIGNER or set AWS_REGION`);
    if (TRANSIENT.has(name) || TRANSIENT.has(code) || e?.$fault === 'server' || (e?.$metadata?.httpStatusCode ?? 0) >= 500 || name === 'AbortError') {
      return new SignerUnavailableError(`${who} is not available for ${what}: ${name || code}${says && says !== name ? ` (${says})` : ''} after ${policy.attempts} attempt${policy.attempts === 1 ? '' : 's'}; nothing was signed, try again later`);
    }
    return new SignerError(`${who}: ${what} failed (${name || code || 'error'}${says ? `: ${says}` : ''})`);
  };

  return {
    backend: 'aws-kms',
    async publicKey() {
      let answer;
      try {
        answer = await client.send(new GetPublicKeyCommand({ KeyId: spec.keyId }));
      } catch (error) {
        if ((error as AwsError)?.name === 'NotFoundException') return null;
        throw explain(error, 'GetPublicKey');
      }
      if (answer.KeySpec !== 'ECC_NIST_EDWARDS25519') throw new SignerError(`${who} is a ${answer.KeySpec ?? 'unknown'} key; licenses need an ECC_NIST_EDWARDS25519 key`);
      if (answer.KeyUsage !== 'SIGN_VERIFY' || !answer.SigningAlgorithms?.includes('ED25519_SHA_512')) throw new SignerError(`${who} cannot sign with ED25519_SHA_512 (key usage ${answer.KeyUsage ?? 'unknown'})`);
      if (!answer.PublicKey) throw new SignerError(`${who}: GetPublicKey returned no public key`);
      const jwk = createPublicKey({ key: Buffer.from(answer.PublicKey), format: 'der', type: 'spki' }).export({ format: 'jwk' });
      return new Uint8Array(Buffer.from(jwk.x ?? '', 'base64url'));
    },
    async sign(message) {
      try {
        const answer = await client.send(new SignCommand({ KeyId: spec.keyId, Message: message, MessageType: 'RAW', SigningAlgorithm: 'ED25519_SHA_512' }));
        if (!answer.Signature) throw new SignerError(`${who}: Sign returned no signature`);
        return new Uint8Array(answer.Signature);
      } catch (error) {
        if (error instanceof SignerError) throw error;
        throw explain(error, 'Sign');
      }
    },
    async close() {
      client.destroy();
    },
  };
}
