import { pino } from 'pino';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { accessLine, writeAccessLine, type AccessEntry } from './access-log.js';
import { pinoOptions } from './app-logger.service.js';

const TIME = 1_795_646_269_323;

/** A logger with the app's options whose lines land in `lines`, with a fixed time. */
function capture(level = 'info'): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ ...pinoOptions(level), timestamp: () => `,"time":${TIME}` }, sink);
  return { logger, lines };
}

/** What pino itself writes for the same entry. */
function pinoLine(entry: AccessEntry): string {
  const { logger, lines } = capture();
  logger.info({ msg: 'request', ...entry });
  return lines[0]!;
}

const ENTRIES: AccessEntry[] = [
  {
    reqId: '32c1540d-e96d-4a66-9c54-34f6e4373c12',
    method: 'GET',
    route: '/callStatus',
    status: 200,
    ms: 0.04,
    sub: 'user-1',
    upstream: 'ok',
    cache: 'miss',
  },
  { reqId: 'r-2', method: 'GET', route: '/callStatus', status: 401, ms: 1.5 },
  { reqId: 'r-3', method: 'DELETE', route: null, status: 404, ms: 12, cache: 'hit' },
  {
    reqId: 'r-5',
    method: 'GET',
    route: '/callSummary/:roomName',
    status: 502,
    ms: 31.2,
    sub: 'user-1',
    upstream: 'ok',
    cache: 'hit',
    s3: 'rejected',
  },
  // Subjects come from tokens: quotes, control characters, unicode and lone surrogates must
  // come out as valid JSON, as pino writes them.
  {
    reqId: 'r-4',
    method: 'GET',
    route: '/callStatus',
    status: 503,
    ms: 5000,
    sub: 'a"b\\c\n\u0001 é 😀 \ud800',
    upstream: 'circuit_open',
  },
];

describe('accessLine', () => {
  it.each(ENTRIES.map((entry) => [entry.status, entry] as const))(
    'writes what pino writes (%i)',
    (_status, entry) => {
      expect(accessLine(entry, TIME)).toBe(pinoLine(entry));
    },
  );

  it('is one line of JSON without the fields that are absent', () => {
    const line = accessLine(ENTRIES[1]!, TIME);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({
      level: 'info',
      time: TIME,
      msg: 'request',
      reqId: 'r-2',
      method: 'GET',
      route: '/callStatus',
      status: 401,
      ms: 1.5,
    });
  });
});

describe('writeAccessLine', () => {
  it("writes to the logger's destination at info", () => {
    const { logger, lines } = capture('info');
    writeAccessLine(logger, ENTRIES[0]!);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: 'request', reqId: ENTRIES[0]!.reqId });
  });

  it('writes nothing when the level is above info', () => {
    const { logger, lines } = capture('warn');
    writeAccessLine(logger, ENTRIES[0]!);
    expect(lines).toEqual([]);
  });
});
