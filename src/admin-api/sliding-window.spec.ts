import { describe, expect, it } from 'vitest';
import { SlidingWindow } from './sliding-window.js';

function fakeClock(): { now: () => number; set: (ms: number) => void } {
  let time = 0;
  return { now: () => time, set: (ms) => (time = ms) };
}

describe(SlidingWindow.name, () => {
  it('counts each name separately within the window', () => {
    const clock = fakeClock();
    const window = new SlidingWindow(1000, ['calls', 'failures'], clock.now);
    window.add('calls');
    window.add('calls', 3);
    window.add('failures');
    expect(window.total('calls')).toBe(4);
    expect(window.total('failures')).toBe(1);
  });

  it('sums events across buckets of the last windowMs', () => {
    const clock = fakeClock();
    const window = new SlidingWindow(1000, ['calls'], clock.now);
    for (let t = 0; t < 1000; t += 100) {
      clock.set(t);
      window.add('calls');
    }
    expect(window.total('calls')).toBe(10);
  });

  it('expires events a whole bucket at a time', () => {
    const clock = fakeClock();
    // 10 buckets of 100 ms
    const window = new SlidingWindow(1000, ['calls'], clock.now);
    clock.set(0);
    window.add('calls');
    clock.set(99);
    window.add('calls');
    clock.set(150);
    window.add('calls');

    clock.set(999);
    expect(window.total('calls')).toBe(3);
    // The first bucket (0-99) leaves the window as a whole, 901 ms after its last event.
    clock.set(1000);
    expect(window.total('calls')).toBe(1);
    clock.set(1099);
    expect(window.total('calls')).toBe(1);
    clock.set(1100);
    expect(window.total('calls')).toBe(0);
  });

  it('reuses a bucket slot without carrying old counts over', () => {
    const clock = fakeClock();
    const window = new SlidingWindow(1000, ['calls'], clock.now);
    clock.set(50);
    window.add('calls', 5);
    // Same ring slot (index 0), one full window later.
    clock.set(1050);
    window.add('calls');
    expect(window.total('calls')).toBe(1);
  });

  it('forgets everything on reset', () => {
    const clock = fakeClock();
    const window = new SlidingWindow(1000, ['calls'], clock.now);
    clock.set(10);
    window.add('calls', 2);
    window.reset();
    expect(window.total('calls')).toBe(0);
    window.add('calls');
    expect(window.total('calls')).toBe(1);
  });
});
