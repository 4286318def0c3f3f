import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';

/**
 * A property that is always null (`error` on success, `data` on error). OpenAPI 3.0 has no null
 * type: a nullable schema whose only allowed value is null.
 */
export function ApiNullProperty(description: string): PropertyDecorator {
  const options = { type: 'object', nullable: true, enum: [null], description, example: null };
  return ApiProperty(options as ApiPropertyOptions);
}
