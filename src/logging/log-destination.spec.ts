import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BatchedDestination, CHUNK_CHARS, type LineWriter } from './log-destination.js';

/** Records what reaches the writer. */
class FakeWriter extends EventEmitter implements LineWriter {
  chunks: string[] = [];
  flushes = 0;
  syncFlushes = 0;
  write(data: string): boolean {
    this.chunks.push(data);
    return true;
  }
  flush(callback?: (error?: Error) => void): void {
    this.flushes++;
    callback?.();
  }
  flushSync(): void {
    this.syncFlushes++;
  }
}

const line = (n: number) => `{"msg":"line ${n}","pad":"${'x'.repeat(200)}"}\n`;

describe(BatchedDestination.name, () => {
  const made: BatchedDestination[] = [];
  function destination(now?: () => number): { dest: BatchedDestination; out: FakeWriter } {
    const out = new FakeWriter();
    const dest = new BatchedDestination(out, now);
    made.push(dest);
    return { dest, out };
  }
  afterEach(() => {
    for (const dest of made.splice(0)) dest.close();
    vi.restoreAllMocks();
  });

  it('hands lines to the writer in chunks of at least CHUNK_CHARS, in order', () => {
    const { dest, out } = destination();
    const perChunk = Math.ceil(CHUNK_CHARS / line(0).length);
    for (let i = 0; i < perChunk * 3; i++) dest.write(line(i));
    expect(out.chunks.length).toBeGreaterThanOrEqual(2);
    for (const chunk of out.chunks) expect(chunk.length).toBeGreaterThanOrEqual(CHUNK_CHARS);
    dest.flush();
    expect(out.chunks.join('')).toBe(
      Array.from({ length: perChunk * 3 }, (_, i) => line(i)).join(''),
    );
  });

  it('writes what it holds on flush (the periodic flush) and on flushSync (exit)', () => {
    const { dest, out } = destination();
    dest.write(line(1));
    expect(out.chunks).toEqual([]);
    const done = vi.fn();
    dest.flush(done);
    expect(out.chunks).toEqual([line(1)]);
    expect(done).toHaveBeenCalled();
    dest.write(line(2));
    dest.write(line(3));
    dest.flushSync();
    expect(out.chunks).toEqual([line(1), line(2) + line(3)]);
    expect(out.syncFlushes).toBe(1);
  });

  it('writes pending lines synchronously when the process exits', () => {
    const { dest, out } = destination();
    dest.write(line(1));
    process.emit('exit', 0);
    expect(out.chunks).toEqual([line(1)]);
    expect(out.syncFlushes).toBeGreaterThanOrEqual(1);
  });

  it('counts lines the writer dropped and says so on stderr at most once a minute', () => {
    let now = 0;
    const { dest, out } = destination(() => now);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    out.emit('drop', line(1) + line(2));
    out.emit('drop', line(3));
    expect(dest.dropped).toBe(3);
    expect(stderr).toHaveBeenCalledTimes(1);
    expect(String(stderr.mock.calls[0]![0])).toContain('2 log lines dropped');
    now = 60_000;
    out.emit('drop', line(4));
    expect(stderr).toHaveBeenCalledTimes(2);
    expect(String(stderr.mock.calls[1]![0])).toContain('4 log lines dropped');
  });
});
