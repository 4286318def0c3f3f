import {
  Injectable,
  type ArgumentMetadata,
  type PipeTransform,
  type ValidationError,
} from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidatorOptions } from 'class-validator';
import { AppException } from './app.exception.js';

const VALIDATOR_OPTIONS: ValidatorOptions = {
  whitelist: true,
  stopAtFirstError: true,
  forbidUnknownValues: false,
  validationError: { target: false, value: false },
};

// Parameters typed with these carry no class-validator rules.
const UNVALIDATED = new Set<unknown>([String, Boolean, Number, Array, Object, undefined]);

function firstMessage(errors: ValidationError[]): string | undefined {
  for (const error of errors) {
    const message = Object.values(error.constraints ?? {})[0] ?? firstMessage(error.children ?? []);
    if (message !== undefined) return message;
  }
  return undefined;
}

/**
 * The global pipe: @Query/@Body/@Param DTOs are turned into their class (class-transformer) and
 * checked against their class-validator rules; the first failing rule's message is the client's
 * message (DTOs write messages meant for clients), as a 400 envelope.
 *
 * Nest's ValidationPipe does the same with more generality, at several times the cost per
 * request in this app (docs/performance.md): it runs asynchronously and copies the input. This
 * one validates synchronously, so DTO constraints must be synchronous; it leaves custom
 * parameter decorators (@CurrentUser, @RequestCtx) alone.
 */
@Injectable()
export class DtoValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const { metatype, type } = metadata;
    if (type === 'custom' || UNVALIDATED.has(metatype)) return value;
    const plain = value ?? {};
    if (typeof plain !== 'object') throw new AppException(400, 'Bad request');
    const instance = plainToInstance(metatype!, plain) as object;
    const errors = validateSync(instance, VALIDATOR_OPTIONS);
    if (errors.length > 0) throw new AppException(400, firstMessage(errors) ?? 'Bad request');
    return instance;
  }
}
