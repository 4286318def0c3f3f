import sonicBoom from 'sonic-boom';

// A CommonJS package: the class is a property of its exports under native ESM.
const { SonicBoom } = sonicBoom;

/** Lines are handed to the writer in chunks of at least this many characters. */
export const CHUNK_CHARS = 16 * 1024;
/** Bytes the writer may hold while the output does not keep up; beyond that lines are dropped. */
export const MAX_PENDING_BYTES = 32 * 1024 * 1024;

/** What BatchedDestination needs of sonic-boom (the tests substitute a fake). */
export interface LineWriter {
  write(data: string): boolean;
  flush(callback?: (error?: Error) => void): void;
  flushSync(): void;
  on(event: 'drop', listener: (data: string) => void): unknown;
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
 * The output falling behind for good (a stalled log pipe) must not take the server down:
 * past MAX_PENDING_BYTES lines are dropped, counted in `dropped`, and said once a minute on
 * stderr. Everything pending is written synchronously when the process exits.
 */
export class BatchedDestination {
  dropped = 0;
  private lines: string[] = [];
  private chars = 0;
  private lastDropReport = -Infinity;

  constructor(
    private readonly out: LineWriter = new SonicBoom({
      fd: process.stdout.fd ?? 1,
      sync: false,
      maxLength: MAX_PENDING_BYTES,
    }),
    private readonly now: () => number = Date.now,
  ) {
    out.on('drop', (data: string) => this.onDrop(data));
    writeOnExit(this);
  }

  write(line: string): boolean {
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

  flushSync(): void {
    this.handOver();
    this.out.flushSync();
  }

  /** Writes what is pending; nothing is left to write at exit. */
  close(): void {
    open.delete(this);
    this.flushSync();
  }

  private handOver(): void {
    if (this.lines.length === 0) return;
    const chunk = this.lines.length === 1 ? this.lines[0]! : this.lines.join('');
    this.lines = [];
    this.chars = 0;
    this.out.write(chunk);
  }

  private onDrop(data: string): void {
    let count = 0;
    for (let at = data.indexOf('\n'); at !== -1; at = data.indexOf('\n', at + 1)) count++;
    this.dropped += count;
    const now = this.now();
    if (now - this.lastDropReport >= 60_000) {
      this.lastDropReport = now;
      process.stderr.write(
        `log output is not keeping up: ${this.dropped} log lines dropped so far\n`,
      );
    }
  }
}

// One exit listener for every open destination (each app instance has one).
const open = new Set<BatchedDestination>();

function writeOnExit(destination: BatchedDestination): void {
  if (open.size === 0 && process.listeners('exit').indexOf(flushAllSync) === -1) {
    process.on('exit', flushAllSync);
  }
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
