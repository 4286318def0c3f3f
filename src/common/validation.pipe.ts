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

/** What validating one input gave: the DTO instance, or the client's 400 message. */
type Outcome = { instance: object } | { message: string };

// Per DTO class; the oldest entry makes room for a new one.
export const MEMO_LIMIT = 10_000;
// Longer inputs are validated every time: memory stays bounded (10,000 x 512 characters per
// DTO at most) whatever query strings clients send.
export const MEMO_MAX_KEY_LENGTH = 512;

/**
 * A key that identifies a flat input (string or string-array values, as query strings and
 * route params are) exactly: lengths delimit names and values. undefined for anything else.
 */
export function flatInputKey(plain: object): string | undefined {
  let key = '';
  for (const name of Object.keys(plain)) {
    const value = (plain as Record<string, unknown>)[name];
    if (typeof value === 'string') {
      key += `${name.length}:${name}=${value.length}:${value}`;
    } else if (Array.isArray(value)) {
      key += `${name.length}:${name}[${value.length}`;
      for (const item of value) {
        if (typeof item !== 'string') return undefined;
        key += `${item.length}:${item}`;
      }
    } else {
      return undefined;
    }
  }
  return key;
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
 *
 * Query strings and route params repeat (every participant of a meeting polls the same
 * `?roomName=`), so their outcome is remembered per DTO class, up to MEMO_LIMIT inputs of up to
 * MEMO_MAX_KEY_LENGTH characters: a repeated input costs a lookup. For that, DTO rules must depend on the input only (no clock,
 * no per-request state; configuration read at boot is fine), and the instance a handler gets
 * for them is frozen, because the next request with the same input gets it too.
 */
@Injectable()
export class DtoValidationPipe implements PipeTransform {
  protected readonly memoLimit: number = MEMO_LIMIT;
  private readonly memo = new WeakMap<object, Map<string, Outcome>>();

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const { metatype, type } = metadata;
    if (type === 'custom' || UNVALIDATED.has(metatype)) return value;
    const plain = value ?? {};
    // An array body would become an array of DTOs that validates as empty: refused.
    if (typeof plain !== 'object' || Array.isArray(plain)) {
      throw new AppException(400, 'Bad request');
    }
    const key = type === 'body' ? undefined : flatInputKey(plain);
    if (key === undefined || key.length > MEMO_MAX_KEY_LENGTH) {
      return this.settle(validate(metatype!, plain));
    }

    let outcomes = this.memo.get(metatype!);
    if (outcomes === undefined) this.memo.set(metatype!, (outcomes = new Map()));
    let outcome = outcomes.get(key);
    if (outcome === undefined) {
      outcome = validate(metatype!, plain);
      if ('instance' in outcome) deepFreeze(outcome.instance);
      if (outcomes.size >= this.memoLimit) outcomes.delete(outcomes.keys().next().value!);
      outcomes.set(key, outcome);
    }
    return this.settle(outcome);
  }

  private settle(outcome: Outcome): object {
    if ('message' in outcome) throw new AppException(400, outcome.message);
    return outcome.instance;
  }
}

function validate(metatype: new (...args: never[]) => unknown, plain: object): Outcome {
  const instance = plainToInstance(metatype, plain) as object;
  const errors = validateSync(instance, VALIDATOR_OPTIONS);
  if (errors.length > 0) return { message: firstMessage(errors) ?? 'Bad request' };
  return { instance };
}

/** Freezes a DTO and what it holds (arrays a @Transform made, nested DTOs): it is shared. */
function deepFreeze(value: object): void {
  Object.freeze(value);
  for (const child of Object.values(value)) {
    if (typeof child === 'object' && child !== null && !Object.isFrozen(child)) deepFreeze(child);
  }
}
