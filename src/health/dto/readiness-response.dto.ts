import { ApiProperty } from '@nestjs/swagger';
import type { UpstreamOutcome } from '../../admin-api/admin-api.types.js';
import type { BreakerState } from '../../admin-api/circuit-breaker.js';
import type { S3Health } from '../../s3/s3.types.js';
import type { Readiness } from '../health.service.js';

const OUTCOMES = [
  'ok',
  'not_found',
  'rejected',
  'client_error',
  'server_error',
  'malformed',
  'timeout',
  'connection',
  'circuit_open',
  'overloaded',
] as const satisfies readonly UpstreamOutcome[];
// Fails to compile when UpstreamOutcome gains a value that is not listed above.
const _allOutcomes: [Exclude<UpstreamOutcome, (typeof OUTCOMES)[number]>] extends [never]
  ? true
  : never = true;

// Documentation only: HealthService returns the Readiness interface, which these classes
// implement so the two cannot drift apart silently.
class AdminControlCheckDto {
  @ApiProperty({
    enum: ['closed', 'open', 'half_open'] satisfies BreakerState[],
    description: "The circuit breaker's state; an open breaker does not make the app unready.",
    example: 'closed',
  })
  breaker!: string;

  @ApiProperty({
    type: 'string',
    nullable: true,
    // OpenAPI 3.0: a nullable enum lists null among its values.
    enum: [...OUTCOMES, null],
    description: 'How the last call to Admin Control ended; null before the first call.',
    example: 'ok',
  })
  lastOutcome!: Readiness['checks']['adminControl']['lastOutcome'];
}

class ReadinessChecksDto {
  @ApiProperty({
    enum: ['up', 'disabled'],
    description: '`disabled` when no REDIS_URL is configured.',
    example: 'disabled',
  })
  redis!: 'up' | 'disabled';

  @ApiProperty({ type: () => AdminControlCheckDto })
  adminControl!: AdminControlCheckDto;

  @ApiProperty({
    enum: ['disabled', 'up', 'down'] satisfies S3Health[],
    description:
      'The summary store: `disabled` without S3_BUCKET; `down` while its breaker is open or its last read failed because of S3 (unreachable, slow, refusing, 5xx). Never makes the app unready.',
    example: 'disabled',
  })
  s3!: S3Health;
}

/** `data` of a successful GET /health/ready. */
export class ReadinessResponseDto implements Readiness {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status!: 'ok';

  @ApiProperty({ type: () => ReadinessChecksDto })
  checks!: ReadinessChecksDto;
}
