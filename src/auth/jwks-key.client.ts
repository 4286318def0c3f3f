import { Logger } from '@nestjs/common';
import { JwksClient, type SigningKey } from 'jwks-rsa';
import { createPublicKey, type KeyObject } from 'node:crypto';

export interface JwksKeyClientOptions {
  uri: string;
  cacheMs: number;
  timeoutMs: number;
  refetchIntervalMs: number;
}

interface JwksDocument {
  keys: unknown[];
}

interface Download {
  startedAt: number;
  settled: boolean;
  result: Promise<JwksDocument>;
}

// Enough for any real key set; bounds what a flood of distinct (but known) kids can pin.
const MAX_CACHED_KEYS = 50;
const MIN_RSA_BITS = 2048;

/**
 * Public keys from the identity provider's JWKS. jwks-rsa caches each key by kid for
 * JWT_JWKS_CACHE_MS and turns JWKs into keys; the download is ours because jwks-rsa's own
 * request has only an idle-socket timeout: a server that sends headers and stalls would hang it.
 * Ours has a total deadline and goes to the network at most once per JWT_JWKS_REFETCH_INTERVAL_MS,
 * whatever kids (known, unknown or forged) the tokens carry; in between, the last answer (or
 * failure) is reused.
 */
export class JwksKeyClient {
  private readonly logger = new Logger(JwksKeyClient.name);
  private readonly client: JwksClient;
  private readonly keys = new WeakMap<SigningKey, KeyObject>();
  // For logs: the URI's query could carry a credential.
  private readonly where: string;
  private last?: Download;
  private downloads = 0;

  constructor(
    private readonly options: JwksKeyClientOptions,
    private readonly now: () => number = Date.now,
  ) {
    const url = new URL(options.uri);
    this.where = `${url.origin}${url.pathname}`;
    this.client = new JwksClient({
      jwksUri: options.uri,
      cache: true,
      cacheMaxAge: options.cacheMs,
      cacheMaxEntries: MAX_CACHED_KEYS,
      // Our fetcher's interval is the rate limit (jwks-rsa's is a per-minute token bucket).
      rateLimit: false,
      timeout: options.timeoutMs,
      fetcher: () => this.fetchJwks(),
    });
  }

  /** Network requests made so far (for tests and metrics). */
  get downloadCount(): number {
    return this.downloads;
  }

  /** The key for `kid`; rejects when it is unknown, unusable for `algorithm`, or the JWKS is down. */
  async getKey(kid: string, algorithm: string): Promise<KeyObject> {
    const signingKey = await this.client.getSigningKey(kid);
    if (signingKey.alg !== undefined && signingKey.alg !== algorithm) {
      throw new Error(`JWKS key "${kid}" is for ${signingKey.alg}, not ${algorithm}`);
    }
    let key = this.keys.get(signingKey);
    if (key === undefined) {
      key = createPublicKey(signingKey.getPublicKey());
      // The same floor as JWT_PUBLIC_KEY: short RSA keys are factorable.
      if ((key.asymmetricKeyDetails?.modulusLength ?? MIN_RSA_BITS) < MIN_RSA_BITS) {
        throw new Error(`JWKS key "${kid}" is an RSA key under ${MIN_RSA_BITS} bits`);
      }
      this.keys.set(signingKey, key);
    }
    return key;
  }

  private fetchJwks(): Promise<JwksDocument> {
    const now = this.now();
    const last = this.last;
    if (
      last !== undefined &&
      (!last.settled || now - last.startedAt < this.options.refetchIntervalMs)
    ) {
      return last.result;
    }
    const download: Download = { startedAt: now, settled: false, result: this.download() };
    download.result.then(
      () => (download.settled = true),
      () => (download.settled = true),
    );
    this.last = download;
    return download.result;
  }

  private async download(): Promise<JwksDocument> {
    this.downloads += 1;
    try {
      // The signal bounds the whole exchange: connect, headers and body.
      const response = await fetch(this.options.uri, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      if (!response.ok) {
        await response.body?.cancel();
        throw new Error(`answered HTTP ${response.status}`);
      }
      const body = (await response.json()) as Partial<JwksDocument> | null;
      if (!Array.isArray(body?.keys)) throw new Error('answered a document without "keys"');
      return { keys: body.keys };
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      this.logger.warn(`JWKS download from ${this.where} failed: ${reason}`);
      throw error;
    }
  }
}
