import { describe, expect, it } from 'vitest';
import { isolatedEnv } from '../../test/support/env.js';
import { ConfigError } from './env.js';
import { streamConfig } from './stream.config.js';

const setEnv = isolatedEnv();

describe('streamConfig', () => {
  it('has documented defaults', () => {
    setEnv({});
    expect(streamConfig()).toEqual({
      watchIntervalMs: 1000,
      heartbeatMs: 15_000,
      maxConnections: 10_000,
      maxPerSubject: 20,
    });
  });

  it('reads every variable', () => {
    setEnv({
      STATUS_WATCH_INTERVAL_MS: '250',
      STREAM_HEARTBEAT_MS: '5000',
      STREAM_MAX_CONNECTIONS: '0',
      STREAM_MAX_PER_SUBJECT: '3',
    });
    expect(streamConfig()).toEqual({
      watchIntervalMs: 250,
      heartbeatMs: 5000,
      maxConnections: 0,
      maxPerSubject: 3,
    });
  });

  it('names every variable out of range at once', () => {
    setEnv({ STATUS_WATCH_INTERVAL_MS: '10', STREAM_MAX_PER_SUBJECT: '0' });
    expect(() => streamConfig()).toThrow(ConfigError);
    expect(() => streamConfig()).toThrow(
      /STATUS_WATCH_INTERVAL_MS must be an integer from 100 to 60000 \(got "10"\); STREAM_MAX_PER_SUBJECT must be an integer from 1 to 1000000/,
    );
  });
});
