import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { adminConfig, type AdminConfig } from '../config/admin.config.js';
import { AdminApiClient } from './admin-api.client.js';

@Module({
  imports: [
    HttpModule.registerAsync({
      inject: [adminConfig.KEY],
      useFactory: (config: AdminConfig) => {
        // Keep-alive: a poll storm reuses warm connections instead of opening one per call.
        const agentOptions = {
          keepAlive: true,
          maxSockets: config.maxConcurrency,
          scheduling: 'lifo' as const,
        };
        return {
          httpAgent: new HttpAgent(agentOptions),
          httpsAgent: new HttpsAgent(agentOptions),
          proxy: false as const,
          maxRedirects: 0,
        };
      },
    }),
  ],
  providers: [AdminApiClient],
  exports: [AdminApiClient],
})
export class AdminApiModule {}
