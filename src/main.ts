import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import { configureApp, createAdapter } from './app.setup.js';
import { appConfig } from './config/app.config.js';
import { configProblems } from './config/config-slices.js';
import { missingNodeFlags } from './config/node-flags.js';
import { AppLogger } from './logging/app-logger.service.js';
import { listen } from './listen.js';
import { installShutdownHandlers } from './shutdown.js';

// Accept queue for new connections (Node's default is 511): a meeting's worth of clients
// reconnecting at once, e.g. after a deploy, must not overflow it and wait on SYN retries.
// The kernel caps it at net.core.somaxconn.
const LISTEN_BACKLOG = 4096;

async function bootstrap(): Promise<void> {
  // A configuration problem is the operator's to fix: name every bad variable, no stack.
  const problems = configProblems();
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
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
  await listen(app, {
    port: config.port,
    host: config.host,
    backlog: LISTEN_BACKLOG,
    sockets: config.listenSockets,
  });
  logger.log(`listening on ${await app.getUrl()}`, 'Bootstrap');
}

void bootstrap();
