import { Inject, Injectable } from '@nestjs/common';
import { AdminApiClient } from '../admin-api/admin-api.client.js';
import type { AuthUser } from '../auth/auth.types.js';
import { assertRoomAccess } from '../auth/room-access.js';
import { AppException } from '../common/app.exception.js';
import { messageFor } from '../common/error-response.js';
import type { RequestContext } from '../common/request-context.js';
import { identityConfig, type IdentityConfig } from '../config/identity.config.js';
import { IdentityMetrics } from '../identity/identity-metrics.service.js';
import { proconfTokenOperation, type ProconfTokenRequest } from './proconf-token.operation.js';

@Injectable()
export class ProconfTokenService {
  private readonly guestRoles: ReadonlySet<string>;

  constructor(
    private readonly admin: AdminApiClient,
    private readonly metrics: IdentityMetrics,
    @Inject(identityConfig.KEY) config: IdentityConfig,
  ) {
    this.guestRoles = new Set(config.guests.roles);
  }

  /**
   * A ProCONF token from Admin Control, never cached. A room-scoped (guest) token may ask only
   * for its own room and a role in GUEST_ROLES; both are checked before Admin Control is asked.
   */
  async getToken(
    request: ProconfTokenRequest,
    user: AuthUser,
    ctx?: RequestContext,
  ): Promise<string> {
    assertRoomAccess(user, request.room);
    if (user.roomName !== undefined && !this.guestRoles.has(request.role)) {
      throw new AppException(403, messageFor(403));
    }
    const { role, room, participantName } = request;
    const token = await this.admin.send(
      proconfTokenOperation,
      { role, room, participantName },
      ctx,
    );
    this.metrics.tokenIssued('proconf');
    return token;
  }
}
