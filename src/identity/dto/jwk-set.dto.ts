import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One public key of this server (RFC 7517), RSA or EC P-256. */
export class JwkDto {
  @ApiProperty({ enum: ['RSA', 'EC'], example: 'EC' })
  kty!: string;

  @ApiProperty({ enum: ['sig'], example: 'sig' })
  use!: string;

  @ApiProperty({ enum: ['RS256', 'ES256'], example: 'ES256' })
  alg!: string;

  @ApiProperty({
    description: "The key's RFC 7638 thumbprint (SHA-256); tokens name their key with it.",
    example: 'oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U',
  })
  kid!: string;

  @ApiPropertyOptional({ description: 'RSA: modulus (base64url).' })
  n?: string;

  @ApiPropertyOptional({ description: 'RSA: exponent (base64url).', example: 'AQAB' })
  e?: string;

  @ApiPropertyOptional({ description: 'EC: curve.', enum: ['P-256'], example: 'P-256' })
  crv?: string;

  @ApiPropertyOptional({
    description: 'EC: x coordinate (base64url).',
    example: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
  })
  x?: string;

  @ApiPropertyOptional({
    description: 'EC: y coordinate (base64url).',
    example: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
  })
  y?: string;
}

/** `{"keys":[...]}`: a plain JWK Set (no envelope), as JWT libraries read it. */
export class JwkSetDto {
  @ApiProperty({ type: () => [JwkDto] })
  keys!: JwkDto[];
}
