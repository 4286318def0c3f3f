import { describe, expect, it } from 'vitest';
import { deferred } from '../../test/support/deferred.js';
import { SingleFlight } from './single-flight.js';

describe(SingleFlight.name, () => {
  it('runs the work once for concurrent callers of one key and gives all the same result', async () => {
    const flights = new SingleFlight<string, { n: number }>();
    const gate = deferred<{ n: number }>();
    let runs = 0;
    const work = (): Promise<{ n: number }> => {
      runs++;
      return gate.promise;
    };
    const first = flights.run('room', work);
    const second = flights.run('room', work);
    const third = flights.run('room', work);
    expect(runs).toBe(1);
    expect([first.shared, second.shared, third.shared]).toStrictEqual([false, true, true]);
    expect(flights.size).toBe(1);

    gate.resolve({ n: 7 });
    const results = await Promise.all([first.promise, second.promise, third.promise]);
    expect(results).toStrictEqual([{ n: 7 }, { n: 7 }, { n: 7 }]);
    expect(results[1]).toBe(results[0]);
    expect(results[2]).toBe(results[0]);
  });

  it('keeps different keys apart', async () => {
    const flights = new SingleFlight<string, string>();
    const a = flights.run('a', async () => 'A');
    const b = flights.run('b', async () => 'B');
    expect(a.shared).toBe(false);
    expect(b.shared).toBe(false);
    expect(flights.size).toBe(2);
    expect(await a.promise).toBe('A');
    expect(await b.promise).toBe('B');
  });

  it('shares a rejection with every waiter, then forgets it so the next call runs again', async () => {
    const flights = new SingleFlight<string, string>();
    const gate = deferred<string>();
    let runs = 0;
    const first = flights.run('room', () => {
      runs++;
      return gate.promise;
    });
    const second = flights.run('room', async () => {
      runs++;
      return 'never';
    });
    const failure = new Error('upstream down');
    gate.reject(failure);
    await expect(first.promise).rejects.toBe(failure);
    await expect(second.promise).rejects.toBe(failure);
    expect(runs).toBe(1);
    expect(flights.size).toBe(0);

    const again = flights.run('room', async () => {
      runs++;
      return 'recovered';
    });
    expect(again.shared).toBe(false);
    expect(await again.promise).toBe('recovered');
    expect(runs).toBe(2);
  });

  it('keeps nothing once the call settles', async () => {
    const flights = new SingleFlight<string, number>();
    const gate = deferred<number>();
    const call = flights.run('room', () => gate.promise);
    expect(flights.size).toBe(1);
    gate.resolve(1);
    expect(await call.promise).toBe(1);
    expect(flights.size).toBe(0);

    let runs = 0;
    const next = flights.run('room', async () => ++runs);
    expect(next.shared).toBe(false);
    expect(await next.promise).toBe(1);
    expect(flights.size).toBe(0);
  });
});
