import { SlidingWindow } from './sliding-window.js';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  enabled: boolean;
  /** Opens after this many failures in a row. */
  consecutiveFailures: number;
  /** ...or when at least this share of the calls in the window failed... */
  failureRatio: number;
  /** ...provided the window holds at least this many calls. */
  minCalls: number;
  windowMs: number;
  /** How long it stays open before letting one probe through. */
  openMs: number;
}

export type Admission =
  { allowed: true; probe: boolean } | { allowed: false; retryAfterMs: number };

/**
 * Stops calling Admin Control while it is failing, so a bad minute upstream costs callers an
 * immediate 503 rather than a timeout each, and gives Admin Control room to recover. Only
 * failures that say Admin Control is unwell count (timeouts, connection errors, 5xx).
 */
export class CircuitBreaker {
  private state: BreakerState = 'closed';
  private openedAt = 0;
  private streak = 0;
  private probing = false;
  private readonly window: SlidingWindow<'calls' | 'failures'>;

  constructor(
    private readonly options: BreakerOptions,
    private readonly now: () => number = Date.now,
    private readonly onChange: (state: BreakerState) => void = () => undefined,
  ) {
    this.window = new SlidingWindow(options.windowMs, ['calls', 'failures'], now);
  }

  get current(): BreakerState {
    return this.state;
  }

  admit(): Admission {
    if (!this.options.enabled || this.state === 'closed') return { allowed: true, probe: false };
    const waited = this.now() - this.openedAt;
    if (this.state === 'open' && waited >= this.options.openMs) this.move('half_open');
    if (this.state === 'half_open' && !this.probing) {
      this.probing = true;
      return { allowed: true, probe: true };
    }
    return { allowed: false, retryAfterMs: Math.max(0, this.options.openMs - waited) };
  }

  /** The probe admit() granted never reached Admin Control: the next caller may probe. */
  releaseProbe(): void {
    this.probing = false;
  }

  /** Reports the outcome of a call that admit() let through. */
  record(failed: boolean, probe: boolean): void {
    if (!this.options.enabled) return;
    if (probe) {
      this.probing = false;
      if (failed) this.open();
      else this.close();
      return;
    }
    if (this.state !== 'closed') return;
    this.window.add('calls');
    if (!failed) {
      this.streak = 0;
      return;
    }
    this.window.add('failures');
    this.streak++;
    const calls = this.window.total('calls');
    const tooMany =
      calls >= this.options.minCalls &&
      this.window.total('failures') / calls >= this.options.failureRatio;
    if (this.streak >= this.options.consecutiveFailures || tooMany) this.open();
  }

  private open(): void {
    this.openedAt = this.now();
    this.move('open');
  }

  private close(): void {
    this.streak = 0;
    this.window.reset();
    this.move('closed');
  }

  private move(state: BreakerState): void {
    if (this.state === state) return;
    this.state = state;
    this.onChange(state);
  }
}
