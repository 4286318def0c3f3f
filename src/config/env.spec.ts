import { describe, expect, it } from 'vitest';
import { ConfigError, EnvReader } from './env.js';

function problems(reader: EnvReader): string {
  try {
    reader.done(null);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  return '';
}

describe(EnvReader.name, () => {
  it('reads the given environment, trimming values and treating blanks as unset', () => {
    const env = new EnvReader('test', { A: '  value ', B: '   ', C: '' });
    expect(env.string('A')).toBe('value');
    expect(env.string('B')).toBeUndefined();
    expect(env.string('C', 'fallback')).toBe('fallback');
    expect(env.string('MISSING', 'fallback')).toBe('fallback');
    expect(env.done({ ok: true })).toStrictEqual({ ok: true });
  });

  it('reports a missing required variable with its hint', () => {
    const env = new EnvReader('auth', { SECRET: ' ' });
    expect(env.required('SECRET', 'the signing secret')).toBe('');
    expect(problems(env)).toBe(
      'Invalid configuration (auth): SECRET is required (the signing secret). See .env.example.',
    );
  });

  describe('int', () => {
    it.each([
      ['0', 0],
      ['10', 10],
      [' 7 ', 7],
      ['-3', -3],
    ])('accepts %j within the range', (text, value) => {
      const env = new EnvReader('test', { N: text });
      expect(env.int('N', { default: 1, min: -5, max: 10 })).toBe(value);
      expect(problems(env)).toBe('');
    });

    it('returns the default when unset', () => {
      const env = new EnvReader('test', {});
      expect(env.int('N', { default: 42, min: 0 })).toBe(42);
      expect(env.int('M', { min: 0 })).toBeUndefined();
    });

    it.each(['11', '-6', '1.5', '1e3', 'abc', '0x10', '5ms'])(
      'refuses %j, naming the range, and falls back to the default',
      (text) => {
        const env = new EnvReader('test', { N: text });
        expect(env.int('N', { default: 1, min: -5, max: 10 })).toBe(1);
        expect(problems(env)).toBe(
          `Invalid configuration (test): N must be an integer from -5 to 10 (got "${text}"). See .env.example.`,
        );
      },
    );
  });

  describe('number', () => {
    it('accepts a fraction within the range and refuses one outside', () => {
      const good = new EnvReader('test', { R: '0.25' });
      expect(good.number('R', { default: 0.5, min: 0, max: 1 })).toBe(0.25);
      expect(problems(good)).toBe('');
      const bad = new EnvReader('test', { R: '1.5' });
      expect(bad.number('R', { default: 0.5, min: 0, max: 1 })).toBe(0.5);
      expect(problems(bad)).toContain('R must be a number from 0 to 1 (got "1.5")');
    });

    it('refuses text that is not a finite number', () => {
      const env = new EnvReader('test', { R: 'Infinity' });
      env.number('R', { default: 0 });
      expect(problems(env)).toContain('R must be a number');
    });
  });

  describe('bool', () => {
    it.each(['true', 'TRUE', '1', 'yes', 'On'])('reads %j as true', (text) => {
      const env = new EnvReader('test', { F: text });
      expect(env.bool('F', false)).toBe(true);
      expect(problems(env)).toBe('');
    });

    it.each(['false', 'False', '0', 'no', 'OFF'])('reads %j as false', (text) => {
      const env = new EnvReader('test', { F: text });
      expect(env.bool('F', true)).toBe(false);
      expect(problems(env)).toBe('');
    });

    it('returns the fallback when unset and refuses other spellings', () => {
      expect(new EnvReader('test', {}).bool('F', true)).toBe(true);
      const env = new EnvReader('test', { F: 'maybe' });
      expect(env.bool('F', true)).toBe(true);
      expect(problems(env)).toContain('F must be true or false (got "maybe")');
    });
  });

  describe('oneOf', () => {
    it('accepts an allowed value, falls back when unset, and refuses others (case matters)', () => {
      const levels = ['info', 'debug'] as const;
      expect(new EnvReader('test', { L: 'debug' }).oneOf('L', levels, 'info')).toBe('debug');
      expect(new EnvReader('test', {}).oneOf('L', levels, 'info')).toBe('info');
      const env = new EnvReader('test', { L: 'DEBUG' });
      expect(env.oneOf('L', levels, 'info')).toBe('info');
      expect(problems(env)).toContain('L must be one of info, debug (got "DEBUG")');
    });
  });

  describe('list', () => {
    it('splits on commas, trims items and drops empty ones', () => {
      expect(new EnvReader('test', { L: ' a, b ,,c, ' }).list('L')).toStrictEqual(['a', 'b', 'c']);
      expect(new EnvReader('test', {}).list('L')).toStrictEqual([]);
      expect(new EnvReader('test', { L: ' , ' }).list('L')).toStrictEqual([]);
    });
  });

  it('reads http(s) URLs and refuses other schemes and non-URLs', () => {
    const env = new EnvReader('x', {
      A: 'https://idp.example.com/jwks',
      B: 'ftp://x',
      C: 'http://exa mple.com',
    });
    expect(env.httpUrl('A')?.href).toBe('https://idp.example.com/jwks');
    expect(env.httpUrl('B')).toBeUndefined();
    expect(env.httpUrl('C')).toBeUndefined();
    expect(env.httpUrl('MISSING')).toBeUndefined();
    expect(problems(env)).toBe(
      'Invalid configuration (x): B must use http or https; ' +
        'C is not a URL (got "http://exa mple.com"). See .env.example.',
    );
  });

  it('reads a service URL and refuses credentials, a query string or a fragment in it', () => {
    const env = new EnvReader('x', {
      A: 'https://h.example/api',
      B: 'https://user:pw@h.example/?q=1',
      C: 'http://h.example/#top',
    });
    expect(env.serviceUrl('A', 'A_KEY')?.href).toBe('https://h.example/api');
    expect(env.serviceUrl('B', 'B_KEY')?.href).toBe('https://user:pw@h.example/?q=1');
    expect(env.serviceUrl('C', 'C_KEY')?.href).toBe('http://h.example/#top');
    expect(env.serviceUrl('MISSING', 'M_KEY')).toBeUndefined();
    expect(problems(env)).toBe(
      'Invalid configuration (x): B must not contain credentials (use B_KEY); ' +
        'B must not contain a query string or fragment; ' +
        'C must not contain a query string or fragment. See .env.example.',
    );
  });

  it.each(['nope', 'admin.example.com/api', 'localhost:4010', '127.0.0.1:4010', '//x.example'])(
    'says to add the scheme to a URL without one (%s)',
    (text) => {
      const env = new EnvReader('x', { U: text });
      expect(env.httpUrl('U')).toBeUndefined();
      expect(problems(env)).toBe(
        `Invalid configuration (x): U has no scheme: add http:// or https:// (got "${text}"). ` +
          'See .env.example.',
      );
    },
  );

  it('reports every problem at once, each naming its variable', () => {
    const env = new EnvReader('admin', { PORT: 'x', RETRY: 'perhaps', MODE: 'fast' });
    env.int('PORT', { default: 1, min: 0, max: 65535 });
    env.bool('RETRY', true);
    env.oneOf('MODE', ['slow'], 'slow');
    env.required('URL', 'e.g. https://h');
    env.fail('CUSTOM', 'is wrong');
    expect(problems(env)).toBe(
      'Invalid configuration (admin): ' +
        'PORT must be an integer from 0 to 65535 (got "x"); ' +
        'RETRY must be true or false (got "perhaps"); ' +
        'MODE must be one of slow (got "fast"); ' +
        'URL is required (e.g. https://h); ' +
        'CUSTOM is wrong. See .env.example.',
    );
  });
});
