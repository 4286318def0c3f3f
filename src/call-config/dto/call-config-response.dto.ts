import { ApiProperty } from '@nestjs/swagger';

export const CALL_CONFIG_EXAMPLE = {
  features: {
    audio_call: true,
    video_call: true,
    live_chat: true,
    waiting_room: true,
    screen_sharing: true,
    desktop_streaming: true,
    moderator_control: true,
    transcript: true,
    auto_centering: true,
    client_side_recording: true,
    server_side_recording: true,
  },
};

/** `data` of a successful GET /callConfig: Admin Control's feature flags. */
export class CallConfigResponseDto {
  @ApiProperty({
    description:
      'Which features are on for calls, as Admin Control gives them: every flag is a boolean; ' +
      'flags not listed in the example may appear.',
    type: 'object',
    additionalProperties: { type: 'boolean' },
    example: CALL_CONFIG_EXAMPLE.features,
  })
  features!: Record<string, boolean>;
}
