import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import { configureApp, createAdapter } from './app.setup.js';
import { appConfig } from './config/app.config.js';
import { configProblems } from './config/config-slices.js';
import { AppLogger } from './logging/app-logger.service.js';
import { installShutdownHandlers } from './shutdown.js';

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
  installShutdownHandlers(app, { graceMs: config.shutdownGraceMs, logger });
  await app.listen(config.port, config.host);
  logger.log(`listening on ${await app.getUrl()}`, 'Bootstrap');
}

void bootstrap();
