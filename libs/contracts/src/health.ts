import { z } from 'zod';

/** Body of a passing liveness or readiness probe. */
export const HealthSchema = z.strictObject({
  status: z.literal('ok'),
});

/** Health response as TypeScript. */
export type Health = z.infer<typeof HealthSchema>;
