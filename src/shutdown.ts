import type { INestApplication, LoggerService } from '@nestjs/common';

export interface ShutdownOptions {
  graceMs: number;
  logger: LoggerService;
  /** Injected for tests; process.exit in production. */
  exit?: (code: number) => void;
  signals?: NodeJS.Signals[];
}

/**
 * On SIGTERM/SIGINT: stop accepting connections, let in-flight requests finish (idle keep-alive
 * sockets close at once), run the shutdown hooks (Redis, the Admin Control pool), exit 0. If
 * that takes longer than the grace period, exit 1 with whatever is still running.
 * Returns a function that removes the handlers.
 */
export function installShutdownHandlers(
  app: INestApplication,
  options: ShutdownOptions,
): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let closing = false;

  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    options.logger.log(`${signal}: draining (grace ${options.graceMs} ms)`, 'Shutdown');
    // Keep-alive sockets that go idle after their last response would otherwise hold the
    // server open until their timeout; close them as they go idle.
    const server = app.getHttpServer() as { closeIdleConnections?: () => void };
    const sweeper = setInterval(() => server.closeIdleConnections?.(), 50);
    sweeper.unref();
    const force = setTimeout(() => {
      options.logger.warn?.('grace period over: exiting with requests in flight', 'Shutdown');
      exit(1);
    }, options.graceMs);
    force.unref();
    app.close().then(
      () => {
        clearTimeout(force);
        clearInterval(sweeper);
        options.logger.log('closed cleanly', 'Shutdown');
        exit(0);
      },
      (error: unknown) => {
        clearTimeout(force);
        clearInterval(sweeper);
        options.logger.error(`shutdown failed: ${String(error)}`, undefined, 'Shutdown');
        exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
