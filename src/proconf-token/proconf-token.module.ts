import { Module } from '@nestjs/common';
import { AdminApiModule } from '../admin-api/admin-api.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { RoomsModule } from '../rooms/rooms.module.js';
import { ProconfRoleConstraint } from './proconf-role.constraint.js';
import { ProconfTokenController } from './proconf-token.controller.js';
import { ProconfTokenService } from './proconf-token.service.js';

@Module({
  imports: [AdminApiModule, IdentityModule, RoomsModule],
  controllers: [ProconfTokenController],
  providers: [ProconfRoleConstraint, ProconfTokenService],
})
export class ProconfTokenModule {}
