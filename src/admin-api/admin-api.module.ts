import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { adminConfig, type AdminConfig } from '../config/admin.config.js';
import { AdminApiClient } from './admin-api.client.js';
import { adminOperations, DEFAULT_MAX_RESPONSE_BYTES } from './admin-operation.js';
import { createUndiciAdapter } from './undici.adapter.js';

@Module({
  imports: [
    HttpModule.registerAsync({
      inject: [adminConfig.KEY],
      useFactory: (config: AdminConfig) => ({
        // Keep-alive pool sized to the concurrency cap: a poll storm reuses warm connections.
        adapter: createUndiciAdapter({
          connections: config.maxConcurrency,
          // The pool's ceiling; each call has its operation's own limit below it.
          maxResponseBytes: Math.max(
            DEFAULT_MAX_RESPONSE_BYTES,
            ...adminOperations().map((operation) => operation.maxResponseBytes),
          ),
          connectTimeoutMs: Math.min(config.timeoutMs, 10_000),
        }),
        proxy: false as const,
        maxRedirects: 0,
        // Every call's body is read as text and judged by AdminApiClient: no status is an
        // axios error, and no transform runs (request bodies are sent as given).
        responseType: 'text' as const,
        transformRequest: [],
        transformResponse: [],
        validateStatus: null,
      }),
    }),
  ],
  providers: [AdminApiClient],
  exports: [AdminApiClient],
})
export class AdminApiModule {}
