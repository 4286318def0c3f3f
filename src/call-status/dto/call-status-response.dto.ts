/** `data` of a successful GET /callStatus: Admin Control's two flags, in the documented order. */
export class CallStatusResponseDto {
  transcript_status!: boolean;
  recording_status!: boolean;
}
