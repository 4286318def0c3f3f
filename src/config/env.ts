// The only code that reads environment variables. Each config slice builds one EnvReader,
// reads its variables through it, and calls done(): every problem is reported at once, each
// naming its variable, and the boot stops.
export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

interface NumberRule {
  default?: number;
  min?: number;
  max?: number;
}

export class EnvReader {
  private readonly problems: string[] = [];

  constructor(
    private readonly slice: string,
    private readonly env: Env = process.env,
  ) {}

  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  fail(name: string, problem: string): void {
    this.problems.push(`${name} ${problem}`);
  }

  string(name: string, fallback: string): string;
  string(name: string): string | undefined;
  string(name: string, fallback?: string): string | undefined {
    return this.raw(name) ?? fallback;
  }

  required(name: string, hint: string): string {
    const value = this.raw(name);
    if (value === undefined) this.fail(name, `is required (${hint})`);
    return value ?? '';
  }

  int(name: string, rule: NumberRule & { default: number }): number;
  int(name: string, rule: NumberRule): number | undefined;
  int(name: string, rule: NumberRule): number | undefined {
    const text = this.raw(name);
    if (text === undefined) return rule.default;
    const value = Number(text);
    const min = rule.min ?? Number.MIN_SAFE_INTEGER;
    const max = rule.max ?? Number.MAX_SAFE_INTEGER;
    if (!/^-?\d+$/.test(text) || value < min || value > max) {
      this.fail(name, `must be an integer from ${min} to ${max} (got "${text}")`);
      return rule.default;
    }
    return value;
  }

  number(name: string, rule: NumberRule & { default: number }): number {
    const text = this.raw(name);
    if (text === undefined) return rule.default;
    const value = Number(text);
    const min = rule.min ?? -Infinity;
    const max = rule.max ?? Infinity;
    if (!Number.isFinite(value) || value < min || value > max) {
      this.fail(name, `must be a number from ${min} to ${max} (got "${text}")`);
      return rule.default;
    }
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const text = this.raw(name)?.toLowerCase();
    if (text === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(text)) return true;
    if (['false', '0', 'no', 'off'].includes(text)) return false;
    this.fail(name, `must be true or false (got "${text}")`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(text)) {
      this.fail(name, `must be one of ${allowed.join(', ')} (got "${text}")`);
      return fallback;
    }
    return text as T;
  }

  /** An http(s) URL, or undefined (and a problem reported) when it is absent or not one. */
  httpUrl(name: string): URL | undefined {
    const text = this.raw(name);
    if (text === undefined) return undefined;
    // "admin.example.com/api" or "localhost:4010" (which URL would read as a scheme "localhost:").
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
      this.fail(name, `has no scheme: add http:// or https:// (got "${text}")`);
      return undefined;
    }
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      this.fail(name, `is not a URL (got "${text}")`);
      return undefined;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      this.fail(name, 'must use http or https');
      return undefined;
    }
    return url;
  }

  /**
   * The http(s) URL of a service: credentials in it would leak into logs and error messages
   * (`credentialsGo` says where they belong), and a query string or fragment would be dropped
   * or misread when paths are appended. Returned even when refused, so later checks still run.
   */
  serviceUrl(name: string, credentialsGo: string): URL | undefined {
    const url = this.httpUrl(name);
    if (url === undefined) return undefined;
    if (url.username !== '' || url.password !== '') {
      this.fail(name, `must not contain credentials (use ${credentialsGo})`);
    }
    if (url.search !== '' || url.hash !== '') {
      this.fail(name, 'must not contain a query string or fragment');
    }
    return url;
  }

  list(name: string): string[] {
    const text = this.raw(name);
    if (text === undefined) return [];
    return text
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }

  /** Throws one ConfigError listing every problem found in this slice. */
  done<T>(value: T): T {
    if (this.problems.length > 0) {
      throw new ConfigError(
        `Invalid configuration (${this.slice}): ${this.problems.join('; ')}. See .env.example.`,
      );
    }
    return value;
  }
}
