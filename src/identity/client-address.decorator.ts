import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { addressTracker } from '../throttle/throttle-keys.js';

/** The client's address as the rate limits count it (TRUST_PROXY applied, IPv6 by /64). */
export const ClientAddress = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  addressTracker(context.switchToHttp().getRequest<FastifyRequest>()),
);
