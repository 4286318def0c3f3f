import { ApiProperty } from '@nestjs/swagger';
import { ErrorBodyDto } from './error-body.dto.js';

/** Every error body: `{"data":null,"error":{"code":<status>,"message":"..."}}`. */
export class ErrorEnvelopeDto {
  @ApiProperty({
    type: 'object',
    nullable: true,
    enum: [null],
    description: 'Always null on an error.',
    example: null,
  })
  data!: null;

  @ApiProperty({ type: () => ErrorBodyDto })
  error!: ErrorBodyDto;
}
