import { ValidationError, ValidationPipe } from '@nestjs/common';
import { AppException } from './app.exception.js';

function firstMessage(errors: ValidationError[]): string | undefined {
  for (const error of errors) {
    const message = Object.values(error.constraints ?? {})[0] ?? firstMessage(error.children ?? []);
    if (message !== undefined) return message;
  }
  return undefined;
}

/**
 * The global pipe: DTOs are validated and transformed; the first failing rule's message is the
 * client's message (DTOs write messages meant for clients), as a 400 envelope.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new AppException(400, firstMessage(errors) ?? 'Bad request'),
  });
}
