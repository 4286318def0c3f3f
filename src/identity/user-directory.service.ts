import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { createHmac, randomBytes } from 'node:crypto';
import { watch, watchFile, unwatchFile, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { ConcurrencyLimiter } from '../admin-api/concurrency-limiter.js';
import { identityConfig, type IdentityConfig } from '../config/identity.config.js';
import { costKey, dummyHashLike, verifyPassword, type PasswordHash } from './password-hash.js';
import { parseUsersFile } from './users-file.js';

// Editors and config managers write a file in several steps: one reload after they are done.
const RELOAD_DEBOUNCE_MS = 100;
// Where fs.watch is not available (some network file systems): poll.
const POLL_INTERVAL_MS = 5000;
const MAX_FILE_BYTES = 8 * 1024 * 1024;
// At most this many verifications at once (scrypt runs on libuv's pool of 4 threads, which
// DNS lookups and file reads share), and this many waiting; beyond, a login is refused (503).
const VERIFY_CONCURRENCY = 2;
const VERIFY_QUEUE = 64;
// The parameters an empty directory's dummy hash uses: what `npm run user -- add` writes.
const DEFAULT_LIKE: PasswordHash = {
  scheme: 'scrypt',
  ln: 15,
  r: 8,
  p: 1,
  salt: Buffer.alloc(16),
  hash: Buffer.alloc(32),
};

interface Directory {
  users: Map<string, PasswordHash>;
  /** The cost key of every user, in file order: an unknown name draws one of these. */
  costs: string[];
  text: string | undefined;
}

/**
 * The users of AUTH_USERS_FILE, re-read when the file changes (fs.watch on its directory, so
 * an atomic rename or a Kubernetes secret update is seen too) and on SIGHUP. A file that cannot
 * be read keeps the users of the last good read; a line that cannot be used is logged by
 * number and skipped.
 */
@Injectable()
export class UserDirectory implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Users');
  private readonly file: string | undefined;
  private directory: Directory = { users: new Map(), costs: [], text: undefined };
  private readonly dummies = new Map<string, PasswordHash>();
  // Per process: which dummy an unknown name draws cannot be computed from outside.
  private readonly pepper = randomBytes(32);
  private readonly limiter = new ConcurrencyLimiter(VERIFY_CONCURRENCY, VERIFY_QUEUE);
  private watcher: FSWatcher | undefined;
  private polling = false;
  private debounce: NodeJS.Timeout | undefined;
  private loading: Promise<void> | undefined;
  private loadAgain = false;
  private readonly onHangup = () => void this.reload('SIGHUP');

  constructor(@Inject(identityConfig.KEY) config: IdentityConfig) {
    this.file = config.usersFile;
  }

  /** Whether a users file is configured (POST /auth/login answers 404 otherwise). */
  get enabled(): boolean {
    return this.file !== undefined;
  }

  get size(): number {
    return this.directory.users.size;
  }

  async onModuleInit(): Promise<void> {
    if (this.file === undefined) return;
    await this.reload('start');
    this.watch(this.file);
    process.on('SIGHUP', this.onHangup);
  }

  onApplicationShutdown(): void {
    process.off('SIGHUP', this.onHangup);
    clearTimeout(this.debounce);
    this.watcher?.close();
    if (this.polling && this.file !== undefined) unwatchFile(this.file);
  }

  /**
   * Whether the password is this user's. An unknown user is checked against a dummy hash with
   * the parameters of a real user's (drawn by name), so the answer takes the same time.
   * Throws LimiterOverflowError when too many verifications are waiting.
   */
  async verify(username: string, password: string): Promise<boolean> {
    const stored = this.directory.users.get(username);
    const hash = stored ?? this.dummyFor(username);
    const matches = await this.limiter.run(() => verifyPassword(hash, password));
    return matches && stored !== undefined;
  }

  /** Re-reads the file; runs once more if asked again meanwhile. */
  reload(why: string): Promise<void> {
    if (this.loading !== undefined) {
      this.loadAgain = true;
      return this.loading;
    }
    this.loading = this.load(why).finally(() => {
      this.loading = undefined;
      if (this.loadAgain) {
        this.loadAgain = false;
        void this.reload(why);
      }
    });
    return this.loading;
  }

  private async load(why: string): Promise<void> {
    const file = this.file!;
    let text: string;
    try {
      const bytes = await readFile(file);
      if (bytes.length > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES} bytes`);
      text = bytes.toString('utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      const kept = this.directory.users.size;
      this.logger.error(`users file ${file} cannot be read (${reason}); keeping ${kept} users`);
      return;
    }
    if (text === this.directory.text && why !== 'SIGHUP') return;
    const { users, problems } = parseUsersFile(text);
    for (const { line, reason } of problems) {
      this.logger.warn(`users file ${file} line ${line} skipped: ${reason}`);
    }
    const costs = [...users.values()].map(costKey);
    await this.prepareDummies([...users.values()]);
    this.directory = { users, costs, text };
    const skipped = problems.length > 0 ? `, ${problems.length} lines skipped` : '';
    this.logger.log(`users file ${file} loaded (${why}): ${users.size} users${skipped}`);
  }

  private async prepareDummies(hashes: PasswordHash[]): Promise<void> {
    for (const like of [DEFAULT_LIKE, ...hashes]) {
      const key = costKey(like);
      if (!this.dummies.has(key)) this.dummies.set(key, await dummyHashLike(like));
    }
  }

  private dummyFor(username: string): PasswordHash {
    const { costs } = this.directory;
    if (costs.length === 0) return this.dummies.get(costKey(DEFAULT_LIKE))!;
    const draw = createHmac('sha256', this.pepper).update(username).digest().readUInt32BE(0);
    return this.dummies.get(costs[draw % costs.length])!;
  }

  private watch(file: string): void {
    const name = basename(file);
    try {
      this.watcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
        // Kubernetes swaps a mounted secret through "..data"; other files are not ours.
        if (changed === null || changed === name || changed.startsWith('..')) this.changed();
      });
      this.watcher.on('error', (error) => {
        this.logger.warn(`watching ${file} failed (${error.message}); polling it instead`);
        this.watcher?.close();
        this.watcher = undefined;
        this.poll(file);
      });
    } catch (error) {
      this.logger.warn(`cannot watch ${file} (${(error as Error).message}); polling it instead`);
      this.poll(file);
    }
  }

  private poll(file: string): void {
    if (this.polling) return;
    this.polling = true;
    watchFile(file, { persistent: false, interval: POLL_INTERVAL_MS }, () => this.changed());
  }

  private changed(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.reload('change'), RELOAD_DEBOUNCE_MS).unref();
  }
}
