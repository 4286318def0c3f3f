import { Validate } from 'class-validator';
import { RoomNameConstraint } from '../room-name.constraint.js';
import { roomNameProperty, trimmed } from './room-query.dto.js';

/** `/<route>/:roomName`: the same rule and messages as the query form. */
export class RoomParamsDto {
  @roomNameProperty('Empty or blank')
  @trimmed
  @Validate(RoomNameConstraint)
  roomName!: string;
}
