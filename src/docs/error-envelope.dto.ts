import { ApiProperty } from '@nestjs/swagger';
import { ApiNullProperty } from './api-null-property.decorator.js';
import { ErrorBodyDto } from './error-body.dto.js';

/** Every error body: `{"data":null,"error":{"code":<status>,"message":"..."}}`. */
export class ErrorEnvelopeDto {
  @ApiNullProperty('Always null on an error.')
  data!: null;

  @ApiProperty({ type: () => ErrorBodyDto })
  error!: ErrorBodyDto;
}
