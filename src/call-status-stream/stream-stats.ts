import { Injectable } from '@nestjs/common';
import type { CloseReason } from './stream-event.js';

export type RefusalReason = 'capacity' | 'subject' | 'shutdown';

/** Plain counters the stream keeps; StreamMetrics hands them to Prometheus when scraped. */
@Injectable()
export class StreamStats {
  /** Streams started and not yet closed. */
  open = 0;
  readonly eventsSent = { status: 0, error: 0 };
  /** Status lookups by room watchers (through the read-through cache). */
  readonly watcherLookups = { ok: 0, error: 0 };
  readonly closed: Record<CloseReason, number> = {
    client: 0,
    expired: 0,
    slow: 0,
    shutdown: 0,
    room_gone: 0,
  };
  readonly refused: Record<RefusalReason, number> = { capacity: 0, subject: 0, shutdown: 0 };
}
