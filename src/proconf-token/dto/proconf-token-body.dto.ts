import { ApiProperty } from '@nestjs/swagger';
import { Validate, ValidateBy } from 'class-validator';
import { DEFAULT_ROOM_NAME_PATTERN } from '../../config/rooms.config.js';
import { trimmed } from '../../rooms/dto/room-query.dto.js';
import { ROOM_NAME_MAX_LENGTH } from '../../rooms/room-name.js';
import { RoomNameConstraint } from '../../rooms/room-name.constraint.js';
import { ProconfRoleConstraint } from '../proconf-role.constraint.js';

export const ROOM_REQUIRED = 'Room required.';
export const PARTICIPANT_NAME_REQUIRED = 'Participant name required.';
export const PARTICIPANT_NAME_INVALID = 'Invalid participant name.';
export const PARTICIPANT_NAME_MAX_LENGTH = 100;

// Control characters, and lone surrogates (not text: JSON can carry them, a name cannot).
const NOT_A_NAME = /[\p{Cc}\p{Cs}]/u;

/**
 * Missing, not a string or blank is "required"; too long, a control character or a lone
 * surrogate is "invalid". The length counts characters (code points) after trimming.
 */
export function checkParticipantName(value: unknown): 'ok' | 'required' | 'invalid' {
  if (typeof value !== 'string' || value.trim() === '') return 'required';
  if (NOT_A_NAME.test(value)) return 'invalid';
  let length = 0;
  for (const _ of value.trim()) if (++length > PARTICIPANT_NAME_MAX_LENGTH) return 'invalid';
  return 'ok';
}

const IsParticipantName = ValidateBy({
  name: 'participantName',
  validator: {
    validate: (value: unknown) => checkParticipantName(value) === 'ok',
    defaultMessage: (args?: { value: unknown }) =>
      checkParticipantName(args?.value) === 'required'
        ? PARTICIPANT_NAME_REQUIRED
        : PARTICIPANT_NAME_INVALID,
  },
});

/** `{"role","room","participantName"}`: what Admin Control's POST /proconf-token takes. */
export class ProconfTokenBodyDto {
  @ApiProperty({
    description:
      'The role in the meeting: one of PROCONF_ROLES (default `owner`, `participant`; shown ' +
      'here), exact after trimming. A room-scoped (guest) token may ask only for a role in ' +
      'GUEST_ROLES (default `participant`): 403 otherwise. Missing or blank: 400 "Role ' +
      'required."; any other value: 400 "Invalid role.".',
    enum: ['owner', 'participant'],
    example: 'owner',
  })
  @trimmed
  @Validate(ProconfRoleConstraint)
  role!: string;

  @ApiProperty({
    description:
      'The room, trimmed, by the room-name rule of the other endpoints: 1-' +
      `${ROOM_NAME_MAX_LENGTH} characters matching ROOM_NAME_PATTERN (default ` +
      `\`${DEFAULT_ROOM_NAME_PATTERN}\`), not \`.\` or \`..\`. Missing or blank: 400 "Room ` +
      'required."; otherwise invalid: 400 "Invalid room name.". A room-scoped token may ask ' +
      'only for its own room: 403 otherwise.',
    minLength: 1,
    maxLength: ROOM_NAME_MAX_LENGTH,
    pattern: `^${DEFAULT_ROOM_NAME_PATTERN}$`,
    example: 'demo-room',
  })
  @trimmed
  @Validate(RoomNameConstraint, [ROOM_REQUIRED])
  room!: string;

  @ApiProperty({
    description:
      'The name shown to the other participants, trimmed: 1-100 characters, no control ' +
      'characters. Missing or blank: 400 "Participant name required."; otherwise invalid: ' +
      '400 "Invalid participant name.".',
    minLength: 1,
    maxLength: PARTICIPANT_NAME_MAX_LENGTH,
    example: 'Alex',
  })
  @trimmed
  @IsParticipantName
  participantName!: string;
}
