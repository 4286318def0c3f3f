import { Module } from '@nestjs/common';
import { CacheModule } from '../cache/cache.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { RoomsModule } from '../rooms/rooms.module.js';
import { ThrottleModule } from '../throttle/throttle.module.js';
import { JoinMemberController } from './join-member.controller.js';
import { JoinMemberGuard } from './join-member.guard.js';
import { JoinMemberService } from './join-member.service.js';

@Module({
  imports: [CacheModule, IdentityModule, RoomsModule, ThrottleModule],
  controllers: [JoinMemberController],
  providers: [JoinMemberGuard, JoinMemberService],
})
export class JoinMemberModule {}
