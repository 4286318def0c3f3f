import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { Validate } from 'class-validator';
import { DEFAULT_ROOM_NAME_PATTERN } from '../../config/call-status.config.js';
import type { ApiErrorCase } from '../../docs/api-responses.decorator.js';
import {
  ROOM_NAME_INVALID,
  ROOM_NAME_MAX_LENGTH,
  ROOM_NAME_REQUIRED,
  RoomNameConstraint,
} from '../room-name.constraint.js';

/** The 400s of an operation that takes this query, for its OpenAPI document. */
export const ROOM_NAME_QUERY_ERRORS: readonly ApiErrorCase[] = [
  {
    name: 'roomNameRequired',
    status: 400,
    message: ROOM_NAME_REQUIRED,
    when: '`roomName` is missing, blank or repeated',
  },
  {
    name: 'invalidRoomName',
    status: 400,
    message: ROOM_NAME_INVALID,
    when: '`roomName` is too long, `.`/`..`, or does not match the room-name pattern',
  },
];

export class GetCallStatusQueryDto {
  // The documented pattern is the default; ROOM_NAME_PATTERN may change it per deployment.
  @ApiProperty({
    description:
      'The room, as Admin Control names it. Trimmed, then it must be 1-' +
      `${ROOM_NAME_MAX_LENGTH} characters matching the deployment's ROOM_NAME_PATTERN ` +
      `(default \`${DEFAULT_ROOM_NAME_PATTERN}\`, shown here; a deployment may configure ` +
      'another), and not `.` or `..`. Missing, blank or repeated: 400 "Room name required in ' +
      'query param."; otherwise invalid: 400 "Invalid room name.".',
    minLength: 1,
    maxLength: ROOM_NAME_MAX_LENGTH,
    pattern: `^${DEFAULT_ROOM_NAME_PATTERN}$`,
    example: 'demo-room',
  })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @Validate(RoomNameConstraint)
  roomName!: string;
}
