import { CreateCatalogue1763700000000 } from './1763700000000-create-catalogue';

/** Every migration, in order. Generated or hand-written, each is committed and reviewed. */
export const MIGRATIONS = [CreateCatalogue1763700000000];
