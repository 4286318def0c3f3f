// Types for tools/token.mjs.

/** Public demo secret (≥ 32 bytes); for local demos only. */
export declare const DEMO_JWT_SECRET: 'proconf-demo-secret-change-me-0123456789abcdef';

export interface MintTokenOptions {
  /** HS256 shared secret */
  secret: string;
  /** `sub` claim, default 'dev-user' */
  subject?: string;
  /** lifetime in seconds, default 3600; `exp` is always set */
  expiresInSeconds?: number;
  /** `iss` claim */
  issuer?: string;
  /** `aud` claim */
  audience?: string | string[];
  /** extra claims; sub/iat/exp/iss/aud are taken from the options above */
  claims?: Record<string, unknown>;
}

/** Mints an HS256 JWT string. */
export function mintToken(options: MintTokenOptions): string;
