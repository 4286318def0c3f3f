import 'reflect-metadata';
import { Transform } from 'class-transformer';
import { IsInt, IsString, Min, MinLength } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { AppException } from './app.exception.js';
import { DtoValidationPipe, flatInputKey, MEMO_MAX_KEY_LENGTH } from './validation.pipe.js';

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

  describe('remembered outcomes', () => {
    /** Counts how often class-transformer builds the DTO, i.e. real validations. */
    class CountingDto {
      static built = 0;
      constructor() {
        CountingDto.built++;
      }
      @MinLength(2, { message: 'Name too short.' })
      @IsString({ message: 'Name required.' })
      name!: string;
    }

    class SmallMemoPipe extends DtoValidationPipe {
      protected override readonly memoLimit = 2;
    }

    it('validates a repeated query once and hands out the same frozen instance', () => {
      const memo = new DtoValidationPipe();
      CountingDto.built = 0;
      const first = memo.transform({ name: 'alice' }, query(CountingDto));
      const second = memo.transform({ name: 'alice' }, query(CountingDto));
      expect(second).toBe(first);
      expect(CountingDto.built).toBe(1);
      expect(Object.isFrozen(first)).toBe(true);
      expect(() => {
        (first as CountingDto).name = 'mallory';
      }).toThrow(TypeError);
      expect(memo.transform({ name: 'bob' }, query(CountingDto))).toEqual({ name: 'bob' });
      expect(CountingDto.built).toBe(2);
    });

    it('freezes what the shared DTO holds, too', () => {
      class ListDto {
        @Transform(({ value }: { value: unknown }) => String(value).split(','))
        @IsString({ each: true })
        ids!: string[];
      }
      const memo = new DtoValidationPipe();
      const dto = memo.transform({ ids: 'a,b' }, query(ListDto)) as ListDto;
      expect(dto.ids).toEqual(['a', 'b']);
      expect(() => dto.ids.push('c')).toThrow(TypeError);
      expect(memo.transform({ ids: 'a,b' }, query(ListDto))).toEqual({ ids: ['a', 'b'] });
    });

    it('remembers refusals too, with their message', () => {
      const memo = new DtoValidationPipe();
      CountingDto.built = 0;
      for (let i = 0; i < 3; i++) {
        expect(rejection(() => memo.transform({ name: 'a' }, query(CountingDto)))).toEqual({
          status: 400,
          message: 'Name too short.',
        });
      }
      expect(CountingDto.built).toBe(1);
    });

    it('keeps at most memoLimit inputs per DTO, dropping the oldest', () => {
      const memo = new SmallMemoPipe();
      CountingDto.built = 0;
      for (const name of ['aa', 'bb', 'cc', 'bb', 'aa']) {
        memo.transform({ name }, query(CountingDto));
      }
      // aa, bb, cc built; cc pushed aa out; bb was still there; aa again is built again.
      expect(CountingDto.built).toBe(4);
    });

    it('does not confuse inputs that concatenate alike, nor DTO classes', () => {
      const memo = new DtoValidationPipe();
      expect(memo.transform({ name: 'ab' }, query(SampleQueryDto))).toEqual({ name: 'ab' });
      expect(rejection(() => memo.transform({ name: 'ab' }, query(CountDto))).message).toBe(
        'Count must be positive.',
      );
      expect(flatInputKey({ a: 'b=1:c' })).not.toBe(flatInputKey({ a: 'b', c: '' }));
      expect(flatInputKey({ a: ['x', 'y'] })).not.toBe(flatInputKey({ a: 'xy' }));
      expect(flatInputKey({ a: ['x', 'y'] })).not.toBe(flatInputKey({ a: ['xy'] }));
    });

    it('validates long inputs every time, so what it keeps stays small', () => {
      const memo = new DtoValidationPipe();
      CountingDto.built = 0;
      const long = 'x'.repeat(MEMO_MAX_KEY_LENGTH);
      memo.transform({ name: long }, query(CountingDto));
      memo.transform({ name: long }, query(CountingDto));
      expect(CountingDto.built).toBe(2);
    });

    it('validates bodies and nested input every time', () => {
      const memo = new DtoValidationPipe();
      CountingDto.built = 0;
      memo.transform({ name: 'alice' }, { type: 'body', metatype: CountingDto });
      memo.transform({ name: 'alice' }, { type: 'body', metatype: CountingDto });
      for (let i = 0; i < 2; i++) {
        expect(
          rejection(() => memo.transform({ name: { first: 'al' } }, query(CountingDto))).message,
        ).toBe('Name required.');
      }
      expect(CountingDto.built).toBe(4);
      expect(flatInputKey({ name: { first: 'al' } })).toBeUndefined();
      expect(flatInputKey({ name: ['a', 1] })).toBeUndefined();
    });
  });
});
