import { ORDER_STATUSES, type OrderStatus } from '@storefront/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../core/errors/domain-error';
import { ORDER_TRANSITIONS, assertTransition, canTransition } from './order-status';

const status = fc.constantFrom(...ORDER_STATUSES);

/** Statuses reachable from `from` by any sequence of allowed transitions. */
function reachable(from: OrderStatus): Set<OrderStatus> {
  const seen = new Set<OrderStatus>();
  const queue = [...ORDER_TRANSITIONS[from]];
  while (queue.length > 0) {
    const next = queue.shift() as OrderStatus;
    if (seen.has(next)) continue;
    seen.add(next);
    queue.push(...ORDER_TRANSITIONS[next]);
  }
  return seen;
}

describe('the order state machine', () => {
  it('allows exactly the documented transitions', () => {
    const allowed = ORDER_STATUSES.flatMap((from) =>
      ORDER_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}->${to}`),
    );
    expect(allowed.sort()).toEqual(
      [
        'pending_payment->paid',
        'pending_payment->cancelled',
        'paid->fulfilled',
        'paid->partially_refunded',
        'paid->refunded',
        'fulfilled->shipped',
        'fulfilled->partially_refunded',
        'fulfilled->refunded',
        'shipped->delivered',
        'shipped->partially_refunded',
        'shipped->refunded',
        'delivered->partially_refunded',
        'delivered->refunded',
        'partially_refunded->partially_refunded',
        'partially_refunded->refunded',
      ].sort(),
    );
  });

  it('refuses every other pair with ORDER_STATE_CONFLICT, and accepts the allowed ones', () => {
    fc.assert(
      fc.property(status, status, (from, to) => {
        if (ORDER_TRANSITIONS[from].includes(to)) {
          expect(() => {
            assertTransition(from, to);
          }).not.toThrow();
        } else {
          expect(() => {
            assertTransition(from, to);
          }).toThrow(DomainError);
          try {
            assertTransition(from, to);
          } catch (error) {
            expect((error as DomainError).code).toBe('ORDER_STATE_CONFLICT');
          }
        }
      }),
    );
  });

  it('never ships, fulfils or delivers an unpaid order, and never pays twice', () => {
    for (const to of ['fulfilled', 'shipped', 'delivered'] as const) {
      expect(canTransition('pending_payment', to)).toBe(false);
      expect(canTransition('cancelled', to)).toBe(false);
    }
    fc.assert(
      fc.property(status, (from) => {
        // Once paid (or beyond), the order never comes back to a payable or paid state.
        if (from !== 'pending_payment') {
          expect(reachable(from).has('paid')).toBe(false);
          expect(reachable(from).has('pending_payment')).toBe(false);
        }
      }),
    );
  });

  it('makes cancelled and refunded final, and reaches delivered only through paid and shipped', () => {
    expect(ORDER_TRANSITIONS.cancelled).toEqual([]);
    expect(ORDER_TRANSITIONS.refunded).toEqual([]);
    expect(reachable('pending_payment').has('delivered')).toBe(true);
    expect(reachable('cancelled').size).toBe(0);
    // Refunds follow a payment only.
    expect(canTransition('pending_payment', 'refunded')).toBe(false);
    expect(canTransition('pending_payment', 'partially_refunded')).toBe(false);
  });
});
