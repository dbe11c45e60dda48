import { z } from 'zod';

/** Currencies the shop sells in. Amounts are always integer minor units (cents). */
export const CURRENCIES = ['EUR'] as const;

/** An amount of money in integer minor units, never a float. */
export const MoneySchema = z.strictObject({
  amount: z.number().int().nonnegative().describe('Integer minor units (cents): 1999 = €19.99.'),
  currency: z.enum(CURRENCIES),
});

/** Money as TypeScript. */
export type Money = z.infer<typeof MoneySchema>;
