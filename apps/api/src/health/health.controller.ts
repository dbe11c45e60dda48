import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthSchema, type Health } from '@storefront/contracts';
import { ApiJsonResponse, ApiErrorResponses } from '../openapi/api-contract.decorators';
import { Public } from '../core/http/public.decorator';
import { SkipRateLimit } from '../rate-limit/rate-limit.decorators';
import { HealthService } from './health.service';

/** Probes for the load balancer and the orchestrator. */
@ApiTags('health')
@Controller('health')
@Public()
@SkipRateLimit()
export class HealthController {
  constructor(@Inject(HealthService) private readonly health: HealthService) {}

  /** The process is up and serving HTTP. */
  @Get('live')
  @ApiJsonResponse(200, HealthSchema, 'The process is alive.')
  live(): Health {
    return { status: 'ok' };
  }

  /** PostgreSQL and Redis are reachable: the instance can take traffic. */
  @Get('ready')
  @ApiJsonResponse(200, HealthSchema, 'Dependencies are reachable.')
  @ApiErrorResponses(503)
  async ready(): Promise<Health> {
    await this.health.assertReady();
    return { status: 'ok' };
  }
}
