import type { cartMessages } from '../i18n/messages/cart';

/** A refused cart form as the page receives it: which form (and line) failed, and the API's code. */
export interface CartFormErrorView {
  intent: 'add' | 'update' | 'remove' | 'apply-coupon' | 'remove-coupon' | 'shipping';
  lineId?: string;
  failure: { code: string; fields: Record<string, string> };
}

type CartTexts = (typeof cartMessages)['en'];

/**
 * The localised text of a cart refusal, by the API's stable code; a validation failure of the
 * field the form is about gets that field's text. The API's own (English) message is never shown.
 */
export function cartErrorText(
  t: CartTexts,
  failure: CartFormErrorView['failure'],
  field?: 'quantity' | 'code',
): string {
  if (failure.code === 'VALIDATION_FAILED') {
    if (field === 'quantity') return t.errors['quantity'] ?? '';
    if (field === 'code') return t.errors['couponFormat'] ?? '';
  }
  return t.errors[failure.code] ?? t.errors['generic'] ?? '';
}
