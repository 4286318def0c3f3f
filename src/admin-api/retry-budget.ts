import { SlidingWindow } from './sliding-window.js';

export interface RetryBudgetOptions {
  /** Retries may add at most this share of the first attempts in the window. */
  ratio: number;
  windowMs: number;
  /** Retries always allowed per window, so a quiet service can still retry a blip. */
  minPerWindow: number;
}

/**
 * Bounds retries to a share of real traffic (as Finagle and gRPC retry budgets do), so that in
 * an outage retries add at most ~ratio more load instead of multiplying it.
 */
export class RetryBudget {
  private readonly window: SlidingWindow<'calls' | 'retries'>;

  constructor(
    private readonly options: RetryBudgetOptions,
    now: () => number = Date.now,
  ) {
    this.window = new SlidingWindow(options.windowMs, ['calls', 'retries'], now);
  }

  recordCall(): void {
    this.window.add('calls');
  }

  /** Takes one retry from the budget if there is one left. */
  tryRetry(): boolean {
    const allowed = this.options.minPerWindow + this.options.ratio * this.window.total('calls');
    if (this.window.total('retries') + 1 > allowed) return false;
    this.window.add('retries');
    return true;
  }
}
