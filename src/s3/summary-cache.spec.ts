import { describe, expect, it } from 'vitest';
import { deferred } from '../../test/support/deferred.js';
import type { ObjectText } from './s3-object.client.js';
import { SummaryCache } from './summary-cache.js';

const text = (value: string): ObjectText => ({ text: value, bytes: Buffer.byteLength(value) });

describe(SummaryCache.name, () => {
  it('loads a key once for concurrent callers, then serves it from memory', async () => {
    const cache = new SummaryCache(1000);
    const load = deferred<ObjectText>();
    let loads = 0;
    const loader = () => {
      loads++;
      return load.promise;
    };
    const first = cache.lookup('a/summary.txt', loader);
    const second = cache.lookup('a/summary.txt', loader);
    expect([first.result, second.result]).toEqual(['miss', 'coalesced']);
    load.resolve(text('hello'));
    expect(await first.text).toBe('hello');
    expect(await second.text).toBe('hello');
    const third = cache.lookup('a/summary.txt', loader);
    expect(third.result).toBe('hit');
    expect(await third.text).toBe('hello');
    expect(loads).toBe(1);
  });

  it('never keeps a failure: the next caller loads again', async () => {
    const cache = new SummaryCache(1000);
    const failed = cache.lookup('k', () => Promise.reject(new Error('S3 down')));
    await expect(failed.text).rejects.toThrow('S3 down');
    const next = cache.lookup('k', async () => text('back'));
    expect(next.result).toBe('miss');
    expect(await next.text).toBe('back');
  });

  it('counts text and key bytes in UTF-8 and evicts the least recently used first', async () => {
    // Each entry: 1-byte key + 10 bytes of text = 11 bytes; three fit in 35, four do not.
    const cache = new SummaryCache(35);
    for (const key of ['a', 'b', 'c']) await cache.lookup(key, async () => text('0123456789')).text;
    expect(cache.size).toBe(33);
    await cache.lookup('a', async () => text('unused')).text; // a is now the most recent
    await cache.lookup('d', async () => text('0123456789')).text;
    expect(cache.size).toBe(33);
    expect(['a', 'b', 'c', 'd'].filter((key) => cache.has(key))).toEqual(['a', 'c', 'd']);
  });

  it('measures multi-byte text by its UTF-8 bytes', async () => {
    const cache = new SummaryCache(100);
    await cache.lookup('k', async () => text('é😀')).text; // 2 + 4 bytes, key 1
    expect(cache.size).toBe(7);
  });

  it('evicts as many entries as a large one needs', async () => {
    const cache = new SummaryCache(30);
    for (const key of ['a', 'b', 'c']) await cache.lookup(key, async () => text('123456789')).text;
    // 1 + 19 bytes: a and b must go (30 - 20 + 20 = 30 fits exactly).
    await cache.lookup('z', async () => text('x'.repeat(19))).text;
    expect(['a', 'b', 'c', 'z'].filter((key) => cache.has(key))).toEqual(['c', 'z']);
    expect(cache.size).toBe(30);
  });

  it('does not keep an entry larger than the whole cache, and evicts nothing for it', async () => {
    const cache = new SummaryCache(20);
    await cache.lookup('a', async () => text('12345')).text;
    const big = cache.lookup('big', async () => text('x'.repeat(50)));
    expect(await big.text).toBe('x'.repeat(50));
    expect(cache.has('big')).toBe(false);
    expect(cache.has('a')).toBe(true);
    expect(cache.lookup('big', async () => text('again')).result).toBe('miss');
  });

  it('keeps nothing with a size of 0 but still shares one load', async () => {
    const cache = new SummaryCache(0);
    const load = deferred<ObjectText>();
    const a = cache.lookup('k', () => load.promise);
    const b = cache.lookup('k', () => load.promise);
    expect(b.result).toBe('coalesced');
    load.resolve(text('t'));
    await Promise.all([a.text, b.text]);
    expect(cache.count).toBe(0);
    expect(cache.size).toBe(0);
  });
});
