import { registerAs } from '@nestjs/config';
import { EnvReader } from './env.js';

// GET /callStatus/stream: how often a watched room is checked, how often a silent stream gets a
// heartbeat comment (proxies close idle connections), and how many streams an instance holds.
export const streamConfig = registerAs('stream', () => {
  const env = new EnvReader('stream');
  return env.done({
    watchIntervalMs: env.int('STATUS_WATCH_INTERVAL_MS', { default: 1000, min: 100, max: 60_000 }),
    heartbeatMs: env.int('STREAM_HEARTBEAT_MS', { default: 15_000, min: 100, max: 300_000 }),
    // 0 turns the stream off: every request answers 503 and clients keep polling.
    maxConnections: env.int('STREAM_MAX_CONNECTIONS', { default: 10_000, min: 0, max: 1_000_000 }),
    maxPerSubject: env.int('STREAM_MAX_PER_SUBJECT', { default: 20, min: 1, max: 1_000_000 }),
  });
});

export type StreamConfig = ReturnType<typeof streamConfig>;
