import { Transform } from 'class-transformer';
import { Validate } from 'class-validator';
import { RoomNameConstraint } from '../room-name.constraint.js';

export class GetCallStatusQueryDto {
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @Validate(RoomNameConstraint)
  roomName!: string;
}
