import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '../auth/public.decorator.js';

@Controller('health')
export class HealthController {
  @Get()
  @Public()
  @Header('cache-control', 'no-store')
  check(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
