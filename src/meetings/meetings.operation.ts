import { defineAdminOperation } from '../admin-api/admin-operation.js';
import type { MeetingDto } from './dto/meeting.dto.js';

const FIELDS = ['room_name', 'unique_id', 'created_at', 'destroyed_at'] as const;

/** Admin Control's `data`: an array of meetings, each checked; one bad item is a 502. */
export function parseMeetings(data: unknown): MeetingDto[] | undefined {
  if (!Array.isArray(data)) return undefined;
  const meetings: MeetingDto[] = [];
  for (const item of data as unknown[]) {
    if (typeof item !== 'object' || item === null) return undefined;
    const values = FIELDS.map((field) => (item as Record<string, unknown>)[field]);
    if (!values.every((value) => typeof value === 'string')) return undefined;
    // Exactly the documented fields, in the documented order.
    meetings.push(
      Object.fromEntries(FIELDS.map((f, i) => [f, values[i]])) as unknown as MeetingDto,
    );
  }
  return meetings;
}

export const meetingsOperation = defineAdminOperation({
  name: 'meetings',
  method: 'GET',
  path: '/meetings',
  parse: parseMeetings,
  // Every ended meeting: bounded, but well above the default 64 KiB.
  maxResponseBytes: 4 * 1024 * 1024,
  cache: { ttl: { env: 'MEETINGS_CACHE_TTL_MS', defaultMs: 10_000 } },
});
