import { Body, Controller, Get, Inject, Module, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { Public } from '../../src/core/http/public.decorator';
import { zodDto } from '../../src/core/validation/zod-dto';
import { ensureSession } from '../../src/session/session-cookie';
import { SessionService } from '../../src/session/session.service';

class EchoBodyDto extends zodDto(
  z.strictObject({ name: z.string().min(1).max(50), quantity: z.number().int().min(1).max(10) }),
) {}

/** What each `GET /api/test/slow-query` ended with: `done`, or the error it met. */
export const slowQueryOutcomes: string[] = [];

/** Routes that exist only in tests, to exercise cross-cutting behaviour no real route has yet. */
@Controller('test')
export class TestRoutesController {
  constructor(
    @Inject(SessionService) private readonly sessions: SessionService,
    @Inject(DataSource) private readonly db: DataSource,
  ) {}

  @Post('echo')
  @Public()
  echo(@Body() body: EchoBodyDto): EchoBodyDto {
    return body;
  }

  @Get('boom')
  @Public()
  boom(): never {
    throw new Error(
      'connection to 10.0.3.7:5432 failed for user "storefront_app" at /srv/app/db.ts:42',
    );
  }

  @Get('slow')
  @Public()
  async slow(): Promise<{ done: true }> {
    await new Promise((resolve) => setTimeout(resolve, 600));
    return { done: true };
  }

  /** Waits, then needs PostgreSQL: a handler that outlives the start of a shutdown. */
  @Get('slow-query')
  @Public()
  async slowQuery(): Promise<{ done: true }> {
    await new Promise((resolve) => setTimeout(resolve, 600));
    try {
      await this.db.query('SELECT 1');
      slowQueryOutcomes.push('done');
    } catch (error) {
      slowQueryOutcomes.push(error instanceof Error ? error.message : String(error));
      throw error;
    }
    return { done: true };
  }

  @Get('undeclared')
  undeclared(): { secret: string } {
    return { secret: 'should never be served' };
  }

  @Post('session')
  @Public()
  async session(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ created: number }> {
    const session = await ensureSession(this.sessions, request, reply);
    return { created: session.record.createdAt };
  }
}

/** Test-only routes; never imported by the application itself. */
@Module({ controllers: [TestRoutesController] })
export class TestRoutesModule {}
