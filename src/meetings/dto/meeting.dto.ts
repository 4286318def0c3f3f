import { ApiProperty } from '@nestjs/swagger';

/** One ended meeting, as Admin Control lists it. */
export class MeetingDto {
  @ApiProperty({ description: 'The room the meeting was held in.', example: 'r1' })
  room_name!: string;

  @ApiProperty({ description: 'This meeting of the room.', example: 'r1_1718871014' })
  unique_id!: string;

  @ApiProperty({ description: 'When it started.', example: '2024-06-20T08:10:14.000Z' })
  created_at!: string;

  @ApiProperty({ description: 'When it ended.', example: '2024-06-20T08:10:34.000Z' })
  destroyed_at!: string;
}
