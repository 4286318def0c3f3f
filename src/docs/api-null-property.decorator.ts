import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';

/** A property that is always null (`error` on success, `data` on error): OpenAPI 3.1's null type. */
export function ApiNullProperty(description: string): PropertyDecorator {
  const options = { type: 'null', description, example: null };
  return ApiProperty(options as ApiPropertyOptions);
}
