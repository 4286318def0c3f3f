import type { INestApplication } from '@nestjs/common';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { AppLogger, createPino } from '../../src/logging/app-logger.service.js';

/**
 * From now on, the app's log lines (its own pino options: level, redaction, access lines) are
 * kept in the returned array: AppLogger writes to stdout, which a test cannot read.
 */
export function captureLogs(app: INestApplication, level = 'debug'): string[] {
  const lines: string[] = [];
  const capture = createPino(level, false);
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  (capture as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] = sink;
  Object.assign(app.get(AppLogger), { pino: capture });
  return lines;
}
