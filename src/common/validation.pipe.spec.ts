import 'reflect-metadata';
import { Transform } from 'class-transformer';
import { IsInt, IsString, Min, MinLength } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { AppException } from './app.exception.js';
import { DtoValidationPipe } from './validation.pipe.js';

class SampleQueryDto {
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  // class-validator runs the decorator nearest the property first.
  @MinLength(2, { message: 'Name too short.' })
  @IsString({ message: 'Name required.' })
  name!: string;
}

class CountDto {
  @Transform(({ value }: { value: unknown }) => Number(value))
  @IsInt({ message: 'Count must be a whole number.' })
  @Min(1, { message: 'Count must be positive.' })
  count!: number;
}

const pipe = new DtoValidationPipe();
const query = (metatype: unknown) => ({ type: 'query' as const, metatype: metatype as never });

function rejection(run: () => unknown): { status: number; message: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppException);
    return { status: (error as AppException).getStatus(), message: (error as Error).message };
  }
  throw new Error('expected a rejection');
}

describe(DtoValidationPipe.name, () => {
  it('returns an instance of the DTO, transformed, with unknown properties stripped', () => {
    const result = pipe.transform({ name: '  alice ', extra: 'x' }, query(SampleQueryDto));
    expect(result).toBeInstanceOf(SampleQueryDto);
    expect(result).toEqual({ name: 'alice' });
  });

  it('answers 400 with the first failing rule message', () => {
    expect(rejection(() => pipe.transform({}, query(SampleQueryDto)))).toEqual({
      status: 400,
      message: 'Name required.',
    });
    expect(rejection(() => pipe.transform({ name: ' a ' }, query(SampleQueryDto)))).toEqual({
      status: 400,
      message: 'Name too short.',
    });
    expect(rejection(() => pipe.transform({ count: '0' }, query(CountDto)))).toEqual({
      status: 400,
      message: 'Count must be positive.',
    });
  });

  it('validates a missing body or query as an empty object', () => {
    expect(rejection(() => pipe.transform(undefined, query(SampleQueryDto))).message).toBe(
      'Name required.',
    );
  });

  it('answers 400 "Bad request" for a primitive where a DTO is expected', () => {
    expect(rejection(() => pipe.transform('text', query(SampleQueryDto)))).toEqual({
      status: 400,
      message: 'Bad request',
    });
  });

  it('leaves custom parameter decorators and untyped or primitive parameters alone', () => {
    const user = { subject: 'alice' };
    expect(pipe.transform(user, { type: 'custom', metatype: SampleQueryDto })).toBe(user);
    for (const metatype of [String, Number, Boolean, Object, Array, undefined]) {
      expect(pipe.transform('raw', { type: 'param', metatype: metatype as never })).toBe('raw');
    }
  });
});
