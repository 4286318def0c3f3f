import { Inject, Injectable } from '@nestjs/common';
import {
  ValidatorConstraint,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { callStatusConfig, type CallStatusConfig } from '../config/call-status.config.js';

export const ROOM_NAME_REQUIRED = 'Room name required in query param.';
export const ROOM_NAME_INVALID = 'Invalid room name.';
export const ROOM_NAME_MAX_LENGTH = 128;

export type RoomNameCheck = 'ok' | 'required' | 'invalid';

/** Missing, repeated (an array) or blank is "required"; anything else must fit the rules. */
export function checkRoomName(value: unknown, pattern: RegExp): RoomNameCheck {
  if (typeof value !== 'string') return 'required';
  const name = value.trim();
  if (name === '') return 'required';
  // "." and ".." become path traversal after URL normalisation, even when encoded.
  if (name === '.' || name === '..') return 'invalid';
  let length = 0;
  for (const _ of name) if (++length > ROOM_NAME_MAX_LENGTH) return 'invalid';
  return pattern.test(name) ? 'ok' : 'invalid';
}

/** class-validator rule for room names; injectable because the pattern is configuration. */
@ValidatorConstraint({ name: 'roomName' })
@Injectable()
export class RoomNameConstraint implements ValidatorConstraintInterface {
  constructor(@Inject(callStatusConfig.KEY) private readonly config: CallStatusConfig) {}

  validate(value: unknown): boolean {
    return checkRoomName(value, this.config.roomNamePattern) === 'ok';
  }

  defaultMessage(args: ValidationArguments): string {
    const check = checkRoomName(args.value, this.config.roomNamePattern);
    return check === 'required' ? ROOM_NAME_REQUIRED : ROOM_NAME_INVALID;
  }
}
