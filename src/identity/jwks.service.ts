import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { OwnKeys } from './own-keys.js';

// Verifiers refetch at least this often, so a key added for a rotation is picked up in time.
const MAX_AGE_S = 300;

export interface PublishedJwks {
  body: string;
  headers: { 'cache-control': string; etag: string };
}

/** The JWK Set, serialised once: the keys only change with the configuration. */
@Injectable()
export class JwksService {
  readonly published: PublishedJwks | undefined;

  constructor(keys: OwnKeys) {
    const jwks = keys.jwks();
    if (jwks === undefined) return;
    const body = JSON.stringify(jwks);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    this.published = { body, headers: { 'cache-control': `public, max-age=${MAX_AGE_S}`, etag } };
  }
}
