import { ApiProperty } from '@nestjs/swagger';

/** `data` of GET /health and GET /health/live. */
export class HealthStatusResponseDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status!: 'ok';
}
