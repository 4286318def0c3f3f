import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import { configureApp, createAdapter } from './app.setup.js';
import { appConfig } from './config/app.config.js';
import { configProblems } from './config/config-slices.js';
import { missingNodeFlags } from './config/node-flags.js';
import { observabilityConfig } from './config/observability.config.js';
import { listen, listenErrorMessage, listenProblems, type Listener } from './listen.js';
import { AppLogger } from './logging/app-logger.service.js';
import { installShutdownHandlers } from './shutdown.js';

// Accept queue for new connections (Node's default is 511): a meeting's worth of clients
// reconnecting at once, e.g. after a deploy, must not overflow it and wait on SYN retries.
// The kernel caps it at net.core.somaxconn.
const LISTEN_BACKLOG = 4096;

/** Stops the boot with lines the operator can act on: no stack trace. */
function refuse(lines: string[]): never {
  console.error(lines.join('\n'));
  process.exit(1);
}

async function bootstrap(): Promise<void> {
  // A configuration problem is the operator's to fix: name every bad variable, no stack.
  const problems = configProblems();
  if (problems.length > 0) refuse(problems);
  const { port, host } = appConfig();
  const metricsPort = observabilityConfig().metrics.port;
  const main: Listener = { variable: 'PORT', port, host };
  const listeners = [main];
  if (metricsPort !== undefined)
    listeners.push({ variable: 'METRICS_PORT', port: metricsPort, host });
  // A port in use is found before Nest boots and logs that it started.
  const busy = await listenProblems(listeners);
  if (busy.length > 0) refuse(busy);

  const app = await NestFactory.create<NestFastifyApplication>(AppModule, createAdapter(), {
    bufferLogs: true,
  });
  configureApp(app);
  const config = app.get<ReturnType<typeof appConfig>>(appConfig.KEY);
  const logger = app.get(AppLogger);
  const missingFlags = missingNodeFlags();
  if (missingFlags.length > 0) {
    logger.warn(
      `node was started without ${missingFlags.join(' ')}: expect up to twice the memory ` +
        '(docs/operations.md, "Memory"); npm run start:prod passes them',
      'Bootstrap',
    );
  }
  installShutdownHandlers(app, { graceMs: config.shutdownGraceMs, logger });
  try {
    await listen(app, {
      port: config.port,
      host: config.host,
      backlog: LISTEN_BACKLOG,
      sockets: config.listenSockets,
    });
  } catch (error) {
    // Taken since the check above (or METRICS_PORT, which listens during start-up).
    const failed = (error as { port?: unknown }).port === metricsPort ? listeners.at(-1)! : main;
    refuse([listenErrorMessage(error, failed)]);
  }
  logger.log(`listening on ${await app.getUrl()}`, 'Bootstrap');
}

void bootstrap();
