import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { missingNodeFlags, NODE_FLAGS } from './node-flags.js';

describe(missingNodeFlags.name, () => {
  it('names every flag when node was started bare', () => {
    expect(missingNodeFlags([], '')).toEqual([...NODE_FLAGS]);
  });

  it('finds the flags on the command line, in any spelling and with any value', () => {
    expect(missingNodeFlags(['--max_semi_space_size=8', '--heap-growing-percent=30'], '')).toEqual(
      [],
    );
  });

  it('accepts the flag Node allows in NODE_OPTIONS from there', () => {
    expect(missingNodeFlags(['--heap-growing-percent=50'], '--max-semi-space-size=16')).toEqual([]);
    expect(missingNodeFlags([], '--max-semi-space-size=16')).toEqual(['--heap-growing-percent=50']);
  });
});

describe('npm run start:prod', () => {
  it('starts node with NODE_FLAGS (the benchmark and the soak start the server with it too)', () => {
    const pkg = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts['start:prod']).toBe(`node ${NODE_FLAGS.join(' ')} dist/main.js`);
  });
});
