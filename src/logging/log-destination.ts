import sonicBoom from 'sonic-boom';

// A CommonJS package: the class is a property of its exports under native ESM.
const { SonicBoom } = sonicBoom;

/** Lines are handed to the writer in chunks of at least this many characters. */
export const CHUNK_CHARS = 16 * 1024;
/** Bytes the writer may hold while the output does not keep up; beyond that lines are dropped. */
export const MAX_PENDING_BYTES = 32 * 1024 * 1024;

/** A stuck output may hold up the exit this long, then what is left is given up. */
export const EXIT_FLUSH_MS = 1000;

/** What BatchedDestination needs of sonic-boom (the tests substitute a fake). */
export interface LineWriter {
  write(data: string): boolean;
  flush(callback?: (error?: Error) => void): void;
  flushSync(): void;
  on(event: 'drop', listener: (data: string) => void): unknown;
  on(event: 'error', listener: (error: Error & { code?: string }) => void): unknown;
}

/**
 * pino's destination for the JSON logs: lines are collected and handed to sonic-boom
 * (asynchronous writes, retries on EAGAIN, partial writes) in chunks of CHUNK_CHARS.
 *
 * Why not sonic-boom alone: it measures its whole pending chunk on every line it buffers
 * (cost per line grows with the chunk), and with small chunks it writes one chunk per event
 * loop turn, which a saturated server turns too rarely: the backlog then grew without bound
 * under load (a 150 s soak at 4,000 requests/s kept 14 MB of pending log lines and growing).
 * Chunking here keeps the cost per line at a push onto an array and every write large.
 *
 * Logging must never take the server down or hold it up:
 * - an output that falls behind for good (a stalled log pipe): past MAX_PENDING_BYTES lines are
 *   dropped, counted in `dropped`, and said on stderr at most once a minute;
 * - a closed output (EPIPE): lines are dropped and counted from then on, as pino does;
 * - other write errors are said on stderr (at most once a minute) and writing goes on;
 * - shutdown flushes without blocking; at process exit what is left is written synchronously,
 *   for at most EXIT_FLUSH_MS if the output does not take it.
 */
export class BatchedDestination {
  dropped = 0;
  private lines: string[] = [];
  private chars = 0;
  private broken = false;
  private lastReport = -Infinity;
  private syncUntil: number | undefined;
  private readonly out: LineWriter;

  constructor(
    out?: LineWriter,
    private readonly now: () => number = Date.now,
  ) {
    this.out =
      out ??
      new SonicBoom({
        fd: process.stdout.fd ?? 1,
        sync: false,
        maxLength: MAX_PENDING_BYTES,
        // Asynchronous writes retry for as long as it takes (the backlog is bounded); the
        // synchronous flush at exit only until its deadline.
        retryEAGAIN: () => this.syncUntil === undefined || Date.now() < this.syncUntil,
      });
    this.out.on('drop', (data: string) => {
      this.dropped += countLines(data);
      this.report(`log output is not keeping up: ${this.dropped} log lines dropped so far`);
    });
    this.out.on('error', (error) => this.onError(error));
    writeOnExit(this);
  }

  write(line: string): boolean {
    if (this.broken) {
      this.dropped++;
      return true;
    }
    this.lines.push(line);
    this.chars += line.length;
    if (this.chars >= CHUNK_CHARS) this.handOver();
    return true;
  }

  /** Hands what is collected to the writer and asks it to write (pino.flush() calls this). */
  flush(callback?: (error?: Error) => void): void {
    this.handOver();
    this.out.flush(callback);
  }

  /** At exit: writes what is left, giving up after EXIT_FLUSH_MS on an output that blocks. */
  flushSync(): void {
    if (this.broken) return;
    this.syncUntil = Date.now() + EXIT_FLUSH_MS;
    try {
      this.handOver();
      this.out.flushSync();
    } finally {
      this.syncUntil = undefined;
    }
  }

  /**
   * On shutdown: writes what is pending without blocking; resolves once it is written or after
   * EXIT_FLUSH_MS (what is still pending then is tried once more at exit).
   */
  close(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, EXIT_FLUSH_MS).unref();
      this.flush((error) => {
        clearTimeout(timer);
        if (error === undefined) open.delete(this);
        resolve();
      });
    });
  }

  private handOver(): void {
    if (this.lines.length === 0) return;
    const chunk = this.lines.length === 1 ? this.lines[0]! : this.lines.join('');
    this.lines = [];
    this.chars = 0;
    this.out.write(chunk);
  }

  private onError(error: Error & { code?: string }): void {
    if (error.code === 'EPIPE') {
      // Nobody reads the output any more: stop writing, count what would have been.
      this.broken = true;
      this.dropped += this.lines.length;
      this.lines = [];
      this.chars = 0;
      this.report('log output closed (EPIPE): log lines are dropped from now on');
      return;
    }
    this.report(`log output failed: ${error.message}`);
  }

  private report(message: string): void {
    const now = this.now();
    if (now - this.lastReport < 60_000) return;
    this.lastReport = now;
    process.stderr.write(`${message}\n`);
  }
}

function countLines(data: string): number {
  let count = 0;
  for (let at = data.indexOf('\n'); at !== -1; at = data.indexOf('\n', at + 1)) count++;
  return count;
}

// One exit listener for every open destination (each app instance has one).
const open = new Set<BatchedDestination>();

function writeOnExit(destination: BatchedDestination): void {
  if (!process.listeners('exit').includes(flushAllSync)) process.on('exit', flushAllSync);
  open.add(destination);
}

function flushAllSync(): void {
  for (const destination of open) {
    try {
      destination.flushSync();
    } catch {
      // Exiting: nowhere left to report a failed write.
    }
  }
}
