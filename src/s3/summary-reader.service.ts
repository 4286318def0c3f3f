import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RequestContext } from '../common/request-context.js';
import { s3Config, type S3Config } from '../config/s3.config.js';
import { checkObjectKey } from './object-key.js';
import { S3Exception, s3Failure } from './s3.exception.js';
import type { SummaryCacheListener, SummaryCacheResult } from './s3.types.js';
import { S3ObjectClient } from './s3-object.client.js';
import { SummaryCache } from './summary-cache.js';

export interface SummaryReadOptions {
  context?: RequestContext;
  /** The request's overall deadline (epoch ms): past it this caller gets a 504. */
  deadline?: number;
  /** Aborting it (e.g. the client went away) gives this caller a 504 at once. */
  signal?: AbortSignal;
}

export interface SummaryText {
  text: string;
  cache: SummaryCacheResult;
}

/**
 * Meeting summaries from S3 by Admin Control's `file_url`: checks the key, serves it from the
 * summary cache, or reads it once (single flight) through S3ObjectClient. Errors are
 * S3Exceptions: 503 when S3 is not configured or its breaker is open, 404 "Not found" for a
 * missing object (callers say "Summary not found"), 502 for a bad key, an object that is too
 * large or not UTF-8, or S3 refusing or failing, 504 past S3_TIMEOUT_MS or the caller's deadline.
 */
@Injectable()
export class SummaryReader {
  private readonly logger = new Logger('S3');
  private readonly cache: SummaryCache;
  private readonly listeners: SummaryCacheListener[] = [];

  constructor(
    private readonly s3: S3ObjectClient,
    @Inject(s3Config.KEY) private readonly config: S3Config,
  ) {
    this.cache = new SummaryCache(config.summaryCacheMaxBytes);
  }

  get enabled(): boolean {
    return this.s3.enabled;
  }

  addListener(listener: SummaryCacheListener): void {
    this.listeners.push(listener);
  }

  /** The 503 of a server without S3 settings: callers check first, before other work. */
  assertEnabled(context?: RequestContext): void {
    if (!this.s3.enabled) throw this.failed(s3Failure('disabled'), context);
  }

  /**
   * The summary at `fileUrl`. The request's context learns how S3 served it (`ctx.s3`): the
   * read's outcome when this request read it, otherwise 'hit' or 'coalesced'.
   */
  async read(fileUrl: string, options: SummaryReadOptions = {}): Promise<SummaryText> {
    const { context } = options;
    this.assertEnabled(context);
    const problem = checkObjectKey(fileUrl);
    if (problem !== undefined) {
      // Admin Control's answer is wrong, not the client's request: a 502, the reason logged.
      this.logger.warn(`file_url ${problem} [${context?.requestId ?? '-'}]`);
      throw this.failed(s3Failure('invalid_key'), context);
    }
    // The shared read is bounded by S3_TIMEOUT_MS only: one caller's short deadline must not
    // fail the others waiting for it. Each caller waits at most until its own deadline.
    const { result, text } = this.cache.lookup(fileUrl, () =>
      this.s3.getText(fileUrl, { maxBytes: this.config.summaryMaxBytes, context }),
    );
    for (const listener of this.listeners) listener.result(result);
    if (context) context.s3 = result === 'miss' ? 'ok' : result;
    try {
      return { text: await withinDeadline(text, options), cache: result };
    } catch (error) {
      // A request that read S3 itself, or gave up waiting, says why; one that shared another
      // request's read stays 'coalesced' (that request's log line has the reason).
      throw result === 'miss' || isTimeout(error) ? this.failed(error, context) : error;
    }
  }

  private failed<E>(error: E, context?: RequestContext): E {
    if (context && error instanceof S3Exception) context.s3 = error.outcome;
    return error;
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof S3Exception && error.outcome === 'timeout';
}

/** `work`, or a 504 once the caller's deadline passes or its signal aborts. */
function withinDeadline<T>(work: Promise<T>, options: SummaryReadOptions): Promise<T> {
  const { deadline, signal } = options;
  if (deadline === undefined && signal === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    const expire = () => {
      cleanup();
      reject(s3Failure('timeout', signal?.reason ?? new Error('request deadline passed')));
    };
    const timer =
      deadline === undefined ? undefined : setTimeout(expire, Math.max(0, deadline - Date.now()));
    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', expire);
    };
    if (signal?.aborted) return expire();
    signal?.addEventListener('abort', expire, { once: true });
    work.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (error: unknown) => {
        cleanup();
        reject(error);
      },
    );
  });
}
