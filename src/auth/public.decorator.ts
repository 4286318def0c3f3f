import { SetMetadata } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';

export const IS_PUBLIC = 'proconf:isPublic';

/**
 * Whether a route is public, decided from configuration when the app boots (e.g.
 * METRICS_PUBLIC); asked once per route by the JWT guard, which passes the app's ModuleRef.
 */
export type PublicCondition = (app: ModuleRef) => boolean;

/**
 * Opts a route out of the global JWT guard, always or when `when` says so. Everything else
 * requires a valid token.
 */
export const Public = (when?: PublicCondition): MethodDecorator & ClassDecorator =>
  SetMetadata(IS_PUBLIC, when ?? true);
