import { afterEach } from 'vitest';

/**
 * For specs of configuration readers: returns setEnv(values), which makes `values` the whole
 * process environment (nothing from the outer environment leaks in); the original environment
 * is back after each test.
 */
export function isolatedEnv(): (values?: Record<string, string>) => void {
  const original = process.env;
  afterEach(() => {
    process.env = original;
  });
  return (values = {}) => {
    process.env = { ...values };
  };
}
