import { Module } from '@nestjs/common';
import { RoomNameConstraint } from './room-name.constraint.js';

/** Import it where a DTO validates a room: the constraint reads the configured pattern. */
@Module({ providers: [RoomNameConstraint], exports: [RoomNameConstraint] })
export class RoomsModule {}
