import { ApiProperty } from '@nestjs/swagger';
import { ApiNullProperty } from '../../docs/api-null-property.decorator.js';

// A token shaped like the ones this server signs (header and claims of an access token).
export const SAMPLE_ACCESS_TOKEN =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSIsImlhdCI6MTc2NDQ4MzIwMCwiZXhwIjoxNzY0NDg2ODAwLCJqdGkiOiI3YzliMmQ0ZS0xZjNhLTRiNWMtOGQ2ZS05ZjBhMWIyYzNkNGUifQ.' +
  'Xa9i9SOsCuo_wNFzYF3qw9ieAFIRgrHVCEWg8smkmcc';

/** `{"error":null,"data":"<JWT>"}`: how every token endpoint answers. */
export class TokenEnvelopeDto {
  @ApiNullProperty('Always null on success.')
  error!: null;

  @ApiProperty({ description: 'The signed token (a JWT), bare.', example: SAMPLE_ACCESS_TOKEN })
  data!: string;
}
