import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type BreakerOptions, type BreakerState } from './circuit-breaker.js';

const OPTIONS: BreakerOptions = {
  enabled: true,
  consecutiveFailures: 3,
  failureRatio: 0.5,
  minCalls: 100,
  windowMs: 1000,
  openMs: 500,
};

function setup(options: Partial<BreakerOptions> = {}): {
  breaker: CircuitBreaker;
  changes: BreakerState[];
  set: (ms: number) => void;
} {
  let time = 0;
  const changes: BreakerState[] = [];
  const breaker = new CircuitBreaker(
    { ...OPTIONS, ...options },
    () => time,
    (state) => changes.push(state),
  );
  return { breaker, changes, set: (ms) => (time = ms) };
}

/** Admits one call and reports its outcome, as the client does. */
function call(breaker: CircuitBreaker, failed: boolean): void {
  const admission = breaker.admit();
  if (!admission.allowed) throw new Error('refused');
  breaker.record(failed, admission.probe);
}

describe(CircuitBreaker.name, () => {
  it('starts closed and admits calls that are not probes', () => {
    const { breaker } = setup();
    expect(breaker.current).toBe('closed');
    expect(breaker.admit()).toStrictEqual({ allowed: true, probe: false });
  });

  it('opens after N consecutive failures and refuses with the time left', () => {
    const { breaker, changes, set } = setup();
    call(breaker, true);
    call(breaker, true);
    expect(breaker.current).toBe('closed');
    call(breaker, true);
    expect(breaker.current).toBe('open');
    expect(changes).toStrictEqual(['open']);
    set(200);
    expect(breaker.admit()).toStrictEqual({ allowed: false, retryAfterMs: 300 });
  });

  it('does not open when a success breaks the streak', () => {
    const { breaker } = setup();
    for (let i = 0; i < 10; i++) {
      call(breaker, true);
      call(breaker, true);
      call(breaker, false);
    }
    expect(breaker.current).toBe('closed');
  });

  it('opens when the failure ratio over at least minCalls in the window is reached', () => {
    const { breaker } = setup({ consecutiveFailures: 100, minCalls: 10, failureRatio: 0.5 });
    for (let i = 0; i < 4; i++) {
      call(breaker, false);
      call(breaker, true);
    }
    call(breaker, false);
    // 9 calls, 4 failures: below minCalls
    expect(breaker.current).toBe('closed');
    call(breaker, true);
    // 10 calls, 5 failures: 50%
    expect(breaker.current).toBe('open');
  });

  it('does not open on the ratio below minCalls even if every call failed', () => {
    const { breaker } = setup({ consecutiveFailures: 100, minCalls: 10, failureRatio: 0.1 });
    for (let i = 0; i < 9; i++) call(breaker, true);
    expect(breaker.current).toBe('closed');
  });

  it('does not count failures older than the window towards the ratio', () => {
    const { breaker, set } = setup({ consecutiveFailures: 100, minCalls: 10, failureRatio: 0.5 });
    for (let i = 0; i < 9; i++) call(breaker, true);
    set(1000);
    for (let i = 0; i < 6; i++) call(breaker, false);
    for (let i = 0; i < 4; i++) call(breaker, true);
    // 10 calls, 4 failures; counting the old ones would make 19 calls with 13 failures.
    expect(breaker.current).toBe('closed');
    // ...while the fresh calls alone still open it at 50%: 12 calls, 6 failures.
    call(breaker, true);
    expect(breaker.current).toBe('closed');
    call(breaker, true);
    expect(breaker.current).toBe('open');
  });

  it('lets exactly one probe through once openMs has passed', () => {
    const { breaker, changes, set } = setup();
    for (let i = 0; i < 3; i++) call(breaker, true);
    set(499);
    expect(breaker.admit().allowed).toBe(false);
    set(500);
    expect(breaker.admit()).toStrictEqual({ allowed: true, probe: true });
    expect(breaker.current).toBe('half_open');
    expect(breaker.admit()).toStrictEqual({ allowed: false, retryAfterMs: 0 });
    expect(breaker.admit().allowed).toBe(false);
    expect(changes).toStrictEqual(['open', 'half_open']);
  });

  it('stays half-open and lets the next caller probe when a probe never reached upstream', () => {
    const { breaker, set } = setup();
    for (let i = 0; i < 3; i++) call(breaker, true);
    set(500);
    expect(breaker.admit()).toStrictEqual({ allowed: true, probe: true });
    breaker.releaseProbe(); // e.g. refused by the concurrency cap
    expect(breaker.current).toBe('half_open');
    expect(breaker.admit()).toStrictEqual({ allowed: true, probe: true });
  });

  it('closes when the probe succeeds, with a fresh streak and window', () => {
    const { breaker, changes, set } = setup();
    for (let i = 0; i < 3; i++) call(breaker, true);
    set(500);
    call(breaker, false);
    expect(breaker.current).toBe('closed');
    expect(changes).toStrictEqual(['open', 'half_open', 'closed']);
    expect(breaker.admit()).toStrictEqual({ allowed: true, probe: false });
    call(breaker, true);
    call(breaker, true);
    expect(breaker.current).toBe('closed');
  });

  it('re-opens for another openMs when the probe fails', () => {
    const { breaker, changes, set } = setup();
    for (let i = 0; i < 3; i++) call(breaker, true);
    set(500);
    call(breaker, true);
    expect(breaker.current).toBe('open');
    expect(changes).toStrictEqual(['open', 'half_open', 'open']);
    set(900);
    expect(breaker.admit()).toStrictEqual({ allowed: false, retryAfterMs: 100 });
    set(1000);
    expect(breaker.admit()).toStrictEqual({ allowed: true, probe: true });
  });

  it('ignores outcomes of ordinary calls that finish while it is open', () => {
    const { breaker } = setup();
    const late = breaker.admit();
    for (let i = 0; i < 3; i++) call(breaker, true);
    expect(late).toStrictEqual({ allowed: true, probe: false });
    breaker.record(false, false);
    expect(breaker.current).toBe('open');
  });

  it('always admits and never changes state when disabled', () => {
    const { breaker, changes } = setup({ enabled: false, consecutiveFailures: 1 });
    for (let i = 0; i < 50; i++) call(breaker, true);
    expect(breaker.current).toBe('closed');
    expect(breaker.admit()).toStrictEqual({ allowed: true, probe: false });
    expect(changes).toStrictEqual([]);
  });
});
