// Types for tools/demo-meetings.mjs.

export interface DemoMeeting {
  room_name: string;
  unique_id: string;
  created_at: string;
  destroyed_at: string;
  /** the text stored in S3 */
  summary: string;
}

export const DEMO_SUMMARY_BUCKET: string;
export const DEMO_MEETINGS: readonly DemoMeeting[];
/** `<unique_id>/summary.txt`: the S3 object key (Admin Control's file_url) */
export function summaryKey(meeting: { unique_id: string }): string;
