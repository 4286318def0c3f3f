import { ApiProperty } from '@nestjs/swagger';

/** `data` of a successful GET /callStatus: Admin Control's two flags, in the documented order. */
export class CallStatusResponseDto {
  @ApiProperty({ description: 'Whether transcription is on in the room.', example: false })
  transcript_status!: boolean;

  @ApiProperty({ description: 'Whether recording is on in the room.', example: true })
  recording_status!: boolean;
}
