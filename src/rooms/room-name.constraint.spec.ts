import { plainToInstance } from 'class-transformer';
import { useContainer, validate, Validate } from 'class-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ROOM_NAME_PATTERN, type RoomsConfig } from '../config/rooms.config.js';
import { RoomParamsDto } from './dto/room-params.dto.js';
import { RoomQueryDto } from './dto/room-query.dto.js';
import { checkRoomName, ROOM_NAME_INVALID, ROOM_NAME_REQUIRED } from './room-name.js';
import { RoomNameConstraint } from './room-name.constraint.js';

// Built the way roomsConfig builds it.
const DEFAULT_PATTERN = new RegExp(`^(?:${DEFAULT_ROOM_NAME_PATTERN})$`, 'u');
const LETTERS_ONLY = new RegExp('^(?:\\p{L}+)$', 'u');
// U+1D49C MATHEMATICAL SCRIPT CAPITAL A: one letter, two UTF-16 units, four UTF-8 bytes.
const WIDE_LETTER = '\u{1D49C}';

describe(checkRoomName.name, () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['an array (repeated parameter)', ['a', 'b']],
    ['an object', { name: 'demo' }],
    ['the empty string', ''],
    ['blanks', '   \t '],
  ])('answers "required" for %s', (_what, value) => {
    expect(checkRoomName(value, DEFAULT_PATTERN)).toBe('required');
  });

  it.each([
    ['"."', '.'],
    ['".."', '..'],
    ['" .. " (trimmed to "..")', ' .. '],
    ['129 characters', 'a'.repeat(129)],
    ['a space inside', 'a b'],
    ['a slash', 'a/b'],
    ['a percent sign', '100%'],
    ['a question mark', 'a?b'],
    ['a non-ASCII letter', 'café'],
    ['a control character', 'a\u0000b'],
  ])('answers "invalid" for %s with the default pattern', (_what, value) => {
    expect(checkRoomName(value, DEFAULT_PATTERN)).toBe('invalid');
  });

  it.each([
    ['letters and digits', 'Room42'],
    ['every unreserved punctuation mark', 'a.b_c~d-e'],
    ['"..." (not a traversal segment)', '...'],
    ['exactly 128 characters', 'a'.repeat(128)],
    ['a name with blanks around it', '  demo  '],
  ])('answers "ok" for %s with the default pattern', (_what, value) => {
    expect(checkRoomName(value, DEFAULT_PATTERN)).toBe('ok');
  });

  it('counts characters, not UTF-16 units, against the 128 limit', () => {
    expect(checkRoomName(WIDE_LETTER.repeat(128), LETTERS_ONLY)).toBe('ok');
    expect(checkRoomName(WIDE_LETTER.repeat(129), LETTERS_ONLY)).toBe('invalid');
    expect(checkRoomName('é'.repeat(128), LETTERS_ONLY)).toBe('ok');
    expect(checkRoomName('é'.repeat(129), LETTERS_ONLY)).toBe('invalid');
  });

  it('still refuses "." and ".." when the configured pattern would allow them', () => {
    const anything = /^(?:.+)$/u;
    expect(checkRoomName('.', anything)).toBe('invalid');
    expect(checkRoomName('..', anything)).toBe('invalid');
    expect(checkRoomName('a/b', anything)).toBe('ok');
  });
});

describe(RoomNameConstraint.name, () => {
  const config: RoomsConfig = { roomNamePattern: DEFAULT_PATTERN };

  beforeAll(() => {
    // What Nest's container does in the app: the constraint gets its configuration injected.
    useContainer({
      get: <T>(type: new (...args: never[]) => T): T =>
        (type === (RoomNameConstraint as unknown)
          ? new RoomNameConstraint(config)
          : new type()) as T,
    });
  });

  async function check(
    query: Record<string, unknown>,
    type: typeof RoomQueryDto | typeof RoomParamsDto = RoomQueryDto,
  ): Promise<{ dto: RoomQueryDto; messages: string[] }> {
    const dto = plainToInstance(type, query);
    const errors = await validate(dto);
    return { dto, messages: errors.flatMap((error) => Object.values(error.constraints ?? {})) };
  }

  it('trims the room name and accepts it', async () => {
    const { dto, messages } = await check({ roomName: '  demo-1  ' });
    expect(dto.roomName).toBe('demo-1');
    expect(messages).toStrictEqual([]);
  });

  it.each([
    ['missing', {}],
    ['blank', { roomName: '   ' }],
    ['repeated', { roomName: ['a', 'b'] }],
  ])('says the room name is required when it is %s', async (_what, query) => {
    expect((await check(query)).messages).toStrictEqual([ROOM_NAME_REQUIRED]);
  });

  it.each([
    ['outside the pattern', { roomName: 'a b' }],
    ['"..", after trimming', { roomName: ' .. ' }],
    ['too long', { roomName: 'x'.repeat(129) }],
  ])('says the room name is invalid when it is %s', async (_what, query) => {
    expect((await check(query)).messages).toStrictEqual([ROOM_NAME_INVALID]);
  });

  it.each([
    ['blank', { roomName: ' ' }, ROOM_NAME_REQUIRED],
    ['too long', { roomName: 'x'.repeat(129) }, ROOM_NAME_INVALID],
  ])('applies the same rule to a room in the path (%s)', async (_what, params, message) => {
    expect((await check(params, RoomParamsDto)).messages).toStrictEqual([message]);
    expect((await check({ roomName: ' demo ' }, RoomParamsDto)).dto.roomName).toBe('demo');
  });

  it('says "required" in the words its location gives, "invalid" as always', async () => {
    class BodyDto {
      @Validate(RoomNameConstraint, ['Room required.'])
      room!: string;
    }
    const messages = async (room: unknown) =>
      (await validate(plainToInstance(BodyDto, { room }))).flatMap((error) =>
        Object.values(error.constraints ?? {}),
      );
    expect(await messages(undefined)).toStrictEqual(['Room required.']);
    expect(await messages('a b')).toStrictEqual([ROOM_NAME_INVALID]);
    expect(await messages('demo')).toStrictEqual([]);
  });

  it('uses the configured pattern, not a built-in one', async () => {
    const strict = new RoomNameConstraint({ roomNamePattern: /^(?:[a-z]+)$/u });
    expect(strict.validate('abc')).toBe(true);
    expect(strict.validate('abc1')).toBe(false);
    expect(strict.validate(undefined)).toBe(false);
  });

  it('has the exact client-facing messages', () => {
    expect(ROOM_NAME_REQUIRED).toBe('Room name required in query param.');
    expect(ROOM_NAME_INVALID).toBe('Invalid room name.');
  });
});
