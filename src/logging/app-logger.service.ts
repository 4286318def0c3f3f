import { Inject, Injectable, type LoggerService, type OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createRequire } from 'node:module';
import { pino, type Logger, type LoggerOptions } from 'pino';
import { appConfig } from '../config/app.config.js';
import { BatchedDestination } from './log-destination.js';

// We never log headers or tokens; these paths are a second line of defence should a log call
// ever pass a request or headers object. Exact paths only: wildcards make pino slower per line.
export const REDACTED_PATHS = [
  'authorization',
  'cookie',
  'token',
  'secret',
  'password',
  'body.password',
  'req.body.password',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
];

function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/** The options of every pino logger of the app (accessLine reproduces their output). */
export function pinoOptions(level: string): LoggerOptions {
  return {
    level,
    base: undefined,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { level: (label: string) => ({ level: label }) },
  };
}

export function createPino(level: string, pretty: boolean): Logger {
  const options = pinoOptions(level);
  if (pretty && prettyAvailable()) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  // Asynchronous, batched writes keep logging off the request's critical path
  // (log-destination.ts); what is pending is written when the process exits.
  return pino(options, new BatchedDestination());
}

/** Nest's logger interface on top of pino: one JSON line per message, level from LOG_LEVEL. */
@Injectable()
export class AppLogger implements LoggerService, OnApplicationShutdown {
  readonly pino: Logger;
  // The destination writes once 16 KiB are collected; this bounds how late a line can be.
  private readonly flusher = setInterval(() => this.pino.flush(), 1000).unref();

  constructor(@Inject(appConfig.KEY) config: ConfigType<typeof appConfig>) {
    this.pino = createPino(config.logLevel, config.nodeEnv === 'development');
  }

  /** Log lines dropped because the output did not keep up (see log-destination.ts). */
  get droppedLines(): number {
    return this.destination?.dropped ?? 0;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.flusher);
    const destination = this.destination;
    if (destination !== undefined) await destination.close();
    else this.pino.flush();
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    // Nest passes (message, stack?, context?).
    const context = rest.length > 0 ? rest[rest.length - 1] : undefined;
    const stack = rest.length > 1 ? rest[0] : undefined;
    this.pino.error({ context, stack }, String(message));
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  flush(): void {
    this.pino.flush();
  }

  /** The batched stdout destination, unless logs go elsewhere (pretty output, a test's sink). */
  private get destination(): BatchedDestination | undefined {
    const stream = (this.pino as unknown as Record<symbol, unknown>)[pino.symbols.streamSym];
    return stream instanceof BatchedDestination ? stream : undefined;
  }

  private write(
    level: 'info' | 'warn' | 'debug' | 'trace' | 'fatal',
    message: unknown,
    rest: unknown[],
  ): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const context = rest.length > 0 ? rest[rest.length - 1] : undefined;
    if (typeof message === 'object' && message !== null) this.pino[level]({ context, ...message });
    else this.pino[level]({ context }, String(message));
  }
}
