import { CreateCatalogue1763700000000 } from './1763700000000-create-catalogue';
import { CreateAuditLog1763820000000 } from './1763820000000-create-audit-log';

/** Every migration, in order. Generated or hand-written, each is committed and reviewed. */
export const MIGRATIONS = [CreateCatalogue1763700000000, CreateAuditLog1763820000000];
