import { Global, Module } from '@nestjs/common';
import { SessionService } from './session.service';

/** Server-side sessions; used by the cart, identity and checkout contexts. */
@Global()
@Module({
  providers: [{ provide: SessionService, useClass: SessionService }],
  exports: [SessionService],
})
export class SessionModule {}
