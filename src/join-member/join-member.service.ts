import { Injectable } from '@nestjs/common';
import { OperationCache } from '../cache/operation-cache.service.js';
import type { RequestContext } from '../common/request-context.js';
import { TokenSigner } from '../identity/token-signer.service.js';
import { sessionStatusOperation } from '../rooms/session-status.operation.js';

@Injectable()
export class JoinMemberService {
  constructor(
    private readonly cache: OperationCache,
    private readonly signer: TokenSigner,
  ) {}

  /**
   * A guest token for an existing room. Whether it exists is its session status, read through
   * the cache GET /callStatus uses: Admin Control's 404 is "Room not found", its failures
   * answer as they do there.
   */
  async guestToken(roomName: string, ctx?: RequestContext): Promise<string> {
    await this.cache.get(sessionStatusOperation, { room_name: roomName }, ctx);
    return this.signer.signGuestToken(roomName);
  }
}
