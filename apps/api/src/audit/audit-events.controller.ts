import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AuditEventPageSchema,
  ListAuditEventsQuerySchema,
  type AuditEventPage,
} from '@storefront/contracts';
import { RequirePermissions } from '../core/http/public.decorator';
import {
  ApiErrorResponses,
  ApiJsonResponse,
  ApiQueryFrom,
} from '../openapi/api-contract.decorators';
import { AuditEventsQuery } from './audit-events-query.service';
import { ListAuditEventsQueryDto } from './dto';

/** The audit trail, read-only, for staff allowed to investigate (`audit:read`). */
@ApiTags('audit')
@Controller('admin/audit-events')
export class AuditEventsController {
  constructor(@Inject(AuditEventsQuery) private readonly events: AuditEventsQuery) {}

  @Get()
  @RequirePermissions('audit:read')
  @ApiOperation({
    summary: 'Audit events, newest first, filtered by action, actor, target and time range.',
  })
  @ApiQueryFrom(ListAuditEventsQuerySchema)
  @ApiJsonResponse(200, AuditEventPageSchema, 'A page of audit events.')
  @ApiErrorResponses(400, 401, 403, 429)
  list(@Query() query: ListAuditEventsQueryDto): Promise<AuditEventPage> {
    return this.events.list(query);
  }
}
