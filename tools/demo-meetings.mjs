// The ended meetings the demo knows (shared/proconf-api.md §3.5-3.6), defined once: the Admin
// Control simulator's /meetings lists them and its /call-summary points at each room's latest
// summary, the S3 object `<unique_id>/summary.txt` that `npm run demo` uploads. unique_id is the
// room name, "_", and the Unix seconds of created_at, as in the docs' sample ("r1_1718871014").

/**
 * @typedef {object} DemoMeeting
 * @property {string} room_name
 * @property {string} unique_id
 * @property {string} created_at
 * @property {string} destroyed_at
 * @property {string} summary the text stored in S3
 */

export const DEMO_SUMMARY_BUCKET = 'proconf-summaries';

/** @type {readonly DemoMeeting[]} */
export const DEMO_MEETINGS = Object.freeze([
  // the docs' samples
  {
    room_name: 'r1',
    unique_id: 'r1_1718871014',
    created_at: '2024-06-20T08:10:14.000Z',
    destroyed_at: '2024-06-20T08:10:34.000Z',
    summary: 'Meeting Summary content',
  },
  {
    room_name: 'r2',
    unique_id: 'r2_1718871064',
    created_at: '2024-06-20T08:11:04.000Z',
    destroyed_at: '2024-06-20T08:11:36.000Z',
    summary: 'Meeting summary: r2, 20 June 2024\n- A short check-in; nothing decided.\n',
  },
  {
    room_name: 'demo-room',
    unique_id: 'demo-room_1718874000',
    created_at: '2024-06-20T09:00:00.000Z',
    destroyed_at: '2024-06-20T09:45:00.000Z',
    summary:
      'Meeting summary: demo-room, 20 June 2024\n' +
      '- The team agreed to ship the summaries feature next sprint.\n' +
      '- Décisions: Zoë owns the S3 bucket policy; Łukasz reviews it.\n' +
      '- Next meeting: Thursday.\n',
  },
]);

/**
 * The S3 object key (Admin Control's file_url) of a meeting's summary.
 * @param {{ unique_id: string }} meeting
 */
export function summaryKey(meeting) {
  return `${meeting.unique_id}/summary.txt`;
}
