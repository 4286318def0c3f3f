import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'proconf:isPublic';

/** Opts a route out of the global JWT guard. Everything else requires a valid token. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
