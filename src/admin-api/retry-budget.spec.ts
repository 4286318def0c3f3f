import { describe, expect, it } from 'vitest';
import { RetryBudget } from './retry-budget.js';

function fakeClock(): { now: () => number; set: (ms: number) => void } {
  let time = 0;
  return { now: () => time, set: (ms) => (time = ms) };
}

function takeAll(budget: RetryBudget): number {
  let taken = 0;
  while (budget.tryRetry()) taken++;
  return taken;
}

describe(RetryBudget.name, () => {
  it('allows minPerWindow retries with no traffic at all', () => {
    const budget = new RetryBudget({ ratio: 0.2, windowMs: 1000, minPerWindow: 3 }, () => 0);
    expect(takeAll(budget)).toBe(3);
  });

  it('allows minPerWindow + ratio x calls retries in the window', () => {
    const clock = fakeClock();
    const budget = new RetryBudget({ ratio: 0.2, windowMs: 1000, minPerWindow: 5 }, clock.now);
    for (let i = 0; i < 10; i++) budget.recordCall();
    expect(takeAll(budget)).toBe(7);
    // Each further call earns a fifth of a retry.
    for (let i = 0; i < 4; i++) budget.recordCall();
    expect(budget.tryRetry()).toBe(false);
    budget.recordCall();
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false);
  });

  it('allows no retry when both minPerWindow and ratio are 0', () => {
    const budget = new RetryBudget({ ratio: 0, windowMs: 1000, minPerWindow: 0 }, () => 0);
    for (let i = 0; i < 100; i++) budget.recordCall();
    expect(budget.tryRetry()).toBe(false);
  });

  it('recovers as spent retries slide out of the window', () => {
    const clock = fakeClock();
    const budget = new RetryBudget({ ratio: 0, windowMs: 1000, minPerWindow: 2 }, clock.now);
    expect(takeAll(budget)).toBe(2);
    clock.set(500);
    expect(budget.tryRetry()).toBe(false);
    clock.set(1000);
    expect(takeAll(budget)).toBe(2);
  });

  it('stops counting calls that slid out of the window', () => {
    const clock = fakeClock();
    const budget = new RetryBudget({ ratio: 0.5, windowMs: 1000, minPerWindow: 0 }, clock.now);
    for (let i = 0; i < 10; i++) budget.recordCall();
    clock.set(1000);
    expect(budget.tryRetry()).toBe(false);
    budget.recordCall();
    budget.recordCall();
    expect(takeAll(budget)).toBe(1);
  });
});
