import { ApiProperty } from '@nestjs/swagger';

/** `error` of the ProCONF error envelope. */
export class ErrorBodyDto {
  @ApiProperty({
    type: 'integer',
    minimum: 400,
    maximum: 599,
    description: 'The HTTP status code of the response, repeated in the body.',
    example: 400,
  })
  code!: number;

  @ApiProperty({
    description:
      'A fixed message per case (listed with each response); never an upstream message or a stack.',
    example: 'Room name required in query param.',
  })
  message!: string;
}
