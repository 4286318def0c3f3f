import { ApiProperty } from '@nestjs/swagger';
import type { Readiness } from '../health.service.js';

// Documentation only: HealthService returns the Readiness interface, which these classes
// implement so the two cannot drift apart silently.
class AdminControlCheckDto {
  @ApiProperty({
    enum: ['closed', 'open', 'half_open'],
    description: "The circuit breaker's state; an open breaker does not make the app unready.",
    example: 'closed',
  })
  breaker!: string;

  @ApiProperty({
    type: 'string',
    nullable: true,
    enum: [
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
    ],
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
}

/** `data` of a successful GET /health/ready. */
export class ReadinessResponseDto implements Readiness {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status!: 'ok';

  @ApiProperty({ type: () => ReadinessChecksDto })
  checks!: ReadinessChecksDto;
}
