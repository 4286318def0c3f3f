import { messageFor } from '../common/error-response.js';
import { API_ERRORS, type ApiErrorCase } from '../docs/api-responses.decorator.js';
import { ROOM_NAME_INVALID, ROOM_NOT_FOUND } from '../rooms/room-name.js';
import {
  PARTICIPANT_NAME_INVALID,
  PARTICIPANT_NAME_REQUIRED,
  ROOM_REQUIRED,
} from './dto/proconf-token-body.dto.js';
import { ROLE_INVALID, ROLE_REQUIRED } from './proconf-role.constraint.js';

const bad = (name: string, message: string, when: string): ApiErrorCase => ({
  name,
  status: 400,
  message,
  when,
});

/** POST /proconfToken's own documented errors, besides the shared ones. */
export const PROCONF_TOKEN_ERRORS: ApiErrorCase[] = [
  bad('roleRequired', ROLE_REQUIRED, '`role` is missing, not a string or blank'),
  bad('invalidRole', ROLE_INVALID, '`role` is not one of PROCONF_ROLES'),
  bad('roomRequired', ROOM_REQUIRED, '`room` is missing, not a string or blank'),
  bad('invalidRoomName', ROOM_NAME_INVALID, '`room` breaks the room-name rule'),
  bad(
    'participantNameRequired',
    PARTICIPANT_NAME_REQUIRED,
    '`participantName` is missing or blank',
  ),
  bad(
    'invalidParticipantName',
    PARTICIPANT_NAME_INVALID,
    '`participantName` is over 100 characters or has control characters',
  ),
  bad('bodyNotAnObject', messageFor(400), 'The body is not a JSON object'),
  bad(
    'refusedByAdminControl',
    messageFor(400),
    'Admin Control refused the values (400 or 422): its rules are stricter than this server’s',
  ),
  API_ERRORS.forbiddenRoom,
  {
    name: 'forbiddenRole',
    status: 403,
    message: messageFor(403),
    when: 'A room-scoped (guest) token asks for a role outside GUEST_ROLES (e.g. `owner`)',
  },
  {
    name: 'roomNotFound',
    status: 404,
    message: ROOM_NOT_FOUND.message,
    when: 'Admin Control does not know the room (its 404)',
  },
  {
    name: 'unsupportedMediaType',
    status: 415,
    message: messageFor(415),
    when: 'The body is not `application/json`',
  },
];
