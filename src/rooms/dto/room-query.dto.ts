import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { Validate } from 'class-validator';
import { DEFAULT_ROOM_NAME_PATTERN } from '../../config/rooms.config.js';
import { ROOM_NAME_MAX_LENGTH } from '../room-name.js';
import { RoomNameConstraint } from '../room-name.constraint.js';

/** The rule as the OpenAPI document shows it; `where` names the parameter's location. */
export function roomNameProperty(where: string): PropertyDecorator {
  // The documented pattern is the default; ROOM_NAME_PATTERN may change it per deployment.
  return ApiProperty({
    description:
      'The room, as Admin Control names it. Trimmed, then it must be 1-' +
      `${ROOM_NAME_MAX_LENGTH} characters matching the deployment's ROOM_NAME_PATTERN ` +
      `(default \`${DEFAULT_ROOM_NAME_PATTERN}\`, shown here; a deployment may configure ` +
      `another), and not \`.\` or \`..\`. ${where}: 400 "Room name required in query param."; ` +
      'otherwise invalid: 400 "Invalid room name.".',
    minLength: 1,
    maxLength: ROOM_NAME_MAX_LENGTH,
    pattern: `^${DEFAULT_ROOM_NAME_PATTERN}$`,
    example: 'demo-room',
  });
}

export const trimmed = Transform(({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim() : value,
);

/** `?roomName=<room>` */
export class RoomQueryDto {
  @roomNameProperty('Missing, blank or repeated')
  @trimmed
  @Validate(RoomNameConstraint)
  roomName!: string;
}
