import { Inject, Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth/auth.types.js';
import { assertRoomAccess } from '../auth/room-access.js';
import { OperationCache } from '../cache/operation-cache.service.js';
import { AppException } from '../common/app.exception.js';
import type { RequestContext } from '../common/request-context.js';
import { adminConfig, type AdminConfig } from '../config/admin.config.js';
import { s3Config, type S3Config } from '../config/s3.config.js';
import { S3Exception } from '../s3/s3.exception.js';
import { SummaryReader } from '../s3/summary-reader.service.js';
import { callSummaryOperation, SUMMARY_NOT_FOUND } from './call-summary.operation.js';

@Injectable()
export class CallSummaryService {
  private readonly budgetMs: number;

  constructor(
    private readonly cache: OperationCache,
    private readonly summaries: SummaryReader,
    @Inject(adminConfig.KEY) admin: AdminConfig,
    @Inject(s3Config.KEY) s3: S3Config,
  ) {
    // The request's overall deadline: the longer of the two timeouts. S3 gets what Admin
    // Control left of it (its shared read still stops at S3_TIMEOUT_MS and fills the cache).
    this.budgetMs = Math.max(admin.timeoutMs, s3.timeoutMs);
  }

  /** Where Admin Control says the room's summary is, read from S3. */
  async getSummary(roomName: string, user: AuthUser, ctx?: RequestContext): Promise<string> {
    assertRoomAccess(user, roomName);
    // Without S3 there is no answer to give: Admin Control is not asked.
    this.summaries.assertEnabled(ctx);
    const deadline = Date.now() + this.budgetMs;
    const location = await this.cache.get(callSummaryOperation, { room_name: roomName }, ctx);
    try {
      return (await this.summaries.read(location.file_url, { context: ctx, deadline })).text;
    } catch (error) {
      if (error instanceof S3Exception && error.outcome === 'not_found') {
        throw new AppException(SUMMARY_NOT_FOUND.status, SUMMARY_NOT_FOUND.message, {
          cause: error,
        });
      }
      throw error;
    }
  }
}
