import { Inject, Injectable } from '@nestjs/common';
import {
  ValidatorConstraint,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { roomsConfig, type RoomsConfig } from '../config/rooms.config.js';
import { checkRoomName, ROOM_NAME_INVALID, ROOM_NAME_REQUIRED } from './room-name.js';

/**
 * class-validator rule for room names; injectable because the pattern is configuration.
 * `@Validate(RoomNameConstraint, [message])` says "required" in the location's own words (a
 * body field is not a query param); the default is the documented query message.
 */
@ValidatorConstraint({ name: 'roomName' })
@Injectable()
export class RoomNameConstraint implements ValidatorConstraintInterface {
  constructor(@Inject(roomsConfig.KEY) private readonly config: RoomsConfig) {}

  validate(value: unknown): boolean {
    return checkRoomName(value, this.config.roomNamePattern) === 'ok';
  }

  defaultMessage(args: ValidationArguments): string {
    const check = checkRoomName(args.value, this.config.roomNamePattern);
    const required = (args.constraints?.[0] as string | undefined) ?? ROOM_NAME_REQUIRED;
    return check === 'required' ? required : ROOM_NAME_INVALID;
  }
}
