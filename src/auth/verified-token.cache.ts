import type { AuthUser } from './auth.types.js';

// A verified token is reused at most this long even if exp is later, so a key rotation or a
// configuration change takes effect within a bounded time.
const MAX_ENTRY_AGE_MS = 5 * 60_000;

interface Entry {
  user: AuthUser;
  validUntilMs: number;
}

/**
 * A bounded cache of tokens whose signature and claims were already verified, keyed by the
 * whole token string (so any change to header, claims or signature is a miss). Gateways such as
 * Envoy cache verified JWTs the same way; it spares the HMAC and the passport machinery for the
 * second and later polls of a client.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(token: string): AuthUser | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (this.now() >= entry.validUntilMs) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.user;
  }

  set(token: string, user: AuthUser): void {
    if (this.maxEntries === 0) return;
    const now = this.now();
    const validUntilMs = Math.min(user.expiresAt * 1000, now + MAX_ENTRY_AGE_MS);
    if (validUntilMs <= now) return;
    // Two concurrent first polls with one token both store it: replace, do not evict another.
    this.entries.delete(token);
    if (this.entries.size >= this.maxEntries) {
      // Map keeps insertion order: drop the oldest entry.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, { user, validUntilMs });
  }

  get size(): number {
    return this.entries.size;
  }
}
