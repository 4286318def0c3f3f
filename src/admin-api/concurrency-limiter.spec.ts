import { describe, expect, it } from 'vitest';
import { ConcurrencyLimiter, LimiterOverflowError } from './concurrency-limiter.js';

interface Gate {
  promise: Promise<void>;
  open: () => void;
  fail: (error: Error) => void;
}

function gate(): Gate {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe(ConcurrencyLimiter.name, () => {
  it('runs at most max tasks at once and queues the rest', async () => {
    const limiter = new ConcurrencyLimiter(2, 10);
    const gates = [gate(), gate(), gate()];
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      limiter.run(async () => {
        started.push(i);
        await g.promise;
        return i;
      }),
    );
    await tick();
    expect(started).toStrictEqual([0, 1]);
    expect(limiter.inFlight).toBe(2);
    expect(limiter.queued).toBe(1);

    gates[0].open();
    await tick();
    expect(started).toStrictEqual([0, 1, 2]);
    expect(limiter.inFlight).toBe(2);
    expect(limiter.queued).toBe(0);

    gates[1].open();
    gates[2].open();
    expect(await Promise.all(runs)).toStrictEqual([0, 1, 2]);
    expect(limiter.inFlight).toBe(0);
  });

  it('starts queued tasks in FIFO order', async () => {
    const limiter = new ConcurrencyLimiter(1, 10);
    const first = gate();
    const order: string[] = [];
    const runs = [limiter.run(() => first.promise)];
    for (const name of ['a', 'b', 'c']) {
      runs.push(
        limiter.run(async () => {
          order.push(name);
        }),
      );
    }
    await tick();
    expect(order).toStrictEqual([]);
    first.open();
    await Promise.all(runs);
    expect(order).toStrictEqual(['a', 'b', 'c']);
  });

  it('refuses at once with LimiterOverflowError when the queue is full', async () => {
    const limiter = new ConcurrencyLimiter(1, 1);
    const first = gate();
    const running = limiter.run(() => first.promise);
    const queued = limiter.run(async () => 'queued');
    let ran = false;
    await expect(
      limiter.run(async () => {
        ran = true;
      }),
    ).rejects.toBeInstanceOf(LimiterOverflowError);
    expect(ran).toBe(false);
    expect(limiter.queued).toBe(1);
    first.open();
    await running;
    expect(await queued).toBe('queued');
  });

  it('refuses as soon as all slots are busy when maxQueue is 0', async () => {
    const limiter = new ConcurrencyLimiter(1, 0);
    const first = gate();
    const running = limiter.run(() => first.promise);
    await expect(limiter.run(async () => 1)).rejects.toBeInstanceOf(LimiterOverflowError);
    first.open();
    await running;
    expect(await limiter.run(async () => 2)).toBe(2);
  });

  it('releases the slot when a task fails and passes the failure on', async () => {
    const limiter = new ConcurrencyLimiter(1, 1);
    const first = gate();
    const failing = limiter.run(() => first.promise);
    const next = limiter.run(async () => 'next');
    const failure = new Error('task failed');
    first.fail(failure);
    await expect(failing).rejects.toBe(failure);
    expect(await next).toBe('next');
    expect(limiter.inFlight).toBe(0);
    expect(await limiter.run(async () => 'after')).toBe('after');
  });

  it('releases the slot when a task throws synchronously', async () => {
    const limiter = new ConcurrencyLimiter(1, 0);
    await expect(
      limiter.run(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    expect(limiter.inFlight).toBe(0);
  });

  it('removes and rejects a queued waiter whose signal aborts', async () => {
    const limiter = new ConcurrencyLimiter(1, 1);
    const first = gate();
    const running = limiter.run(() => first.promise);
    const controller = new AbortController();
    let ran = false;
    const waiting = limiter.run(async () => {
      ran = true;
    }, controller.signal);
    expect(limiter.queued).toBe(1);
    const reason = new Error('deadline');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(limiter.queued).toBe(0);

    // The freed queue place can be taken again, and the aborted task never runs.
    const later = limiter.run(async () => 'later');
    expect(limiter.queued).toBe(1);
    first.open();
    await running;
    expect(await later).toBe('later');
    expect(ran).toBe(false);
    expect(limiter.inFlight).toBe(0);
  });

  it('rejects at once a task whose signal has already aborted when it would queue', async () => {
    const limiter = new ConcurrencyLimiter(1, 1);
    const first = gate();
    const running = limiter.run(() => first.promise);
    const reason = new Error('already gone');
    await expect(limiter.run(async () => 1, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(limiter.queued).toBe(0);
    first.open();
    await running;
  });
});
