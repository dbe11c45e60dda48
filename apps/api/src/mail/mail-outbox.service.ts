import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { FIELD_CIPHER, type FieldCipher } from '../privacy/encryption/field-cipher';
import { validateMailMessage, type MailMessage } from './mail-message';
import { MailOutboxRepository, paramsContext, recipientContext } from './mail-outbox.repository';
import { MailRelay } from './mail-relay.subscriber';

/**
 * The one way the application sends email.
 *
 * ```ts
 * await dataSource.transaction(async (manager) => {
 *   await manager.save(user);
 *   await mailOutbox.enqueue(manager, {
 *     template: 'email-verification', locale: 'fr', to: email,
 *     params: { token, expiresInMinutes: 1440 },
 *   });
 * });
 * ```
 *
 * The message is validated against its template, its recipient and parameters are sealed with
 * the FieldCipher (bound to this row), and the row is inserted with the caller's `manager`: the
 * business change and its email commit or roll back together. Delivery starts after the commit.
 */
@Injectable()
export class MailOutbox {
  constructor(
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
    @Inject(MailOutboxRepository) private readonly outbox: MailOutboxRepository,
    @Inject(MailRelay) private readonly relay: MailRelay,
  ) {}

  /**
   * Adds `message` to the outbox inside `manager`'s transaction (or on its own if `manager` has
   * none) and returns the outbox id. Throws `MailMessageError` if the message does not match its
   * template, before writing anything.
   */
  async enqueue(manager: EntityManager, message: MailMessage): Promise<string> {
    const valid = validateMailMessage(message);
    const id = randomUUID();
    const [recipientSealed, paramsSealed] = await Promise.all([
      this.cipher.encrypt(valid.to, recipientContext(id)),
      this.cipher.encrypt(JSON.stringify(valid.params), paramsContext(id)),
    ]);
    await this.outbox.insert(manager, {
      id,
      template: valid.template,
      locale: valid.locale,
      recipientSealed,
      paramsSealed,
    });
    this.relay.track(manager, id);
    return id;
  }
}
