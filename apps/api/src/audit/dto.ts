import { ListAuditEventsQuerySchema } from '@storefront/contracts';
import { zodDto } from '../core/validation/zod-dto';

/** Validated query of `GET /api/admin/audit-events`. */
export class ListAuditEventsQueryDto extends zodDto(ListAuditEventsQuerySchema) {}
