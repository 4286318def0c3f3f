import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BatchedDestination,
  CHUNK_CHARS,
  EXIT_FLUSH_MS,
  type LineWriter,
} from './log-destination.js';

/** Records what reaches the writer. */
class FakeWriter extends EventEmitter implements LineWriter {
  chunks: string[] = [];
  flushes = 0;
  syncFlushes = 0;
  /** false: flush() never calls back, as on a stuck output. */
  answers = true;
  write(data: string): boolean {
    this.chunks.push(data);
    return true;
  }
  flush(callback?: (error?: Error) => void): void {
    this.flushes++;
    if (this.answers) callback?.();
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
  afterEach(async () => {
    vi.useRealTimers();
    for (const dest of made.splice(0)) await dest.close();
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

  it('stops writing once the output is closed (EPIPE), counting what it does not write', () => {
    const { dest, out } = destination();
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    dest.write(line(1));
    out.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    dest.write(line(2));
    dest.write(line(3));
    dest.flushSync();
    expect(out.chunks).toEqual([]);
    expect(dest.dropped).toBe(3);
    expect(String(stderr.mock.calls[0]![0])).toContain('EPIPE');
  });

  it('says other write errors on stderr and keeps writing', () => {
    const { dest, out } = destination();
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    out.emit('error', Object.assign(new Error('no space left'), { code: 'ENOSPC' }));
    dest.write(line(1));
    dest.flush();
    expect(out.chunks).toEqual([line(1)]);
    expect(String(stderr.mock.calls[0]![0])).toContain('no space left');
  });

  it('does not hold up shutdown on an output that does not take the last lines', async () => {
    vi.useFakeTimers();
    const { dest, out } = destination();
    out.answers = false;
    dest.write(line(1));
    let closed = false;
    void dest.close().then(() => (closed = true));
    await vi.advanceTimersByTimeAsync(EXIT_FLUSH_MS - 1);
    expect(closed).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(closed).toBe(true);
    expect(out.chunks).toEqual([line(1)]);
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
