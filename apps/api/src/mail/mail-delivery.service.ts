import { randomInt } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { FIELD_CIPHER, type FieldCipher } from '../privacy/encryption/field-cipher';
import { MAIL_LOCALES, parseTemplateParams, type MailLocale } from './mail-message';
import {
  MailOutboxRepository,
  isOutboxId,
  paramsContext,
  recipientContext,
  type MailOutboxRow,
} from './mail-outbox.repository';
import { MAIL_FAILURE_CODES, classifySendError } from './mail-send-error';
import { renderMail, type RenderedMail } from './mail-templates';
import { MAIL_TRANSPORT, type MailTransport } from './mail-transport';

/** What became of one delivery attempt. */
export type DeliveryOutcome =
  | { kind: 'sent' }
  /** Nothing to do: unknown id, already sent or dead, or another delivery won the row. */
  | { kind: 'skipped' }
  | { kind: 'retry'; delayMs: number }
  | { kind: 'dead' };

/** Longest wait between two attempts. */
const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;

/**
 * Delivers one outbox row: open the sealed recipient and parameters, render the template, hand
 * the message to the transport, and record the outcome on the row (sent → sealed data erased;
 * failure → retry time with exponential back-off, or dead after `MAIL_MAX_ATTEMPTS` or a
 * permanent refusal). The same code runs under BullMQ and in the queue-less development mode.
 *
 * Logs name the outbox id, template and error code only: never the recipient, the parameters,
 * the body, or a transport error message (SMTP replies quote addresses).
 */
@Injectable()
export class MailDelivery {
  private readonly logger = new Logger('Mail');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(MailOutboxRepository) private readonly outbox: MailOutboxRepository,
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
    @Inject(MAIL_TRANSPORT) private readonly transport: MailTransport,
  ) {}

  /** Delay before attempt `attempts + 1`, after `attempts` failures: base × 2^(n-1), +0–10 %. */
  retryDelayMs(attempts: number): number {
    const base = this.config.mail.retryBaseDelayMs;
    const delay = Math.min(MAX_RETRY_DELAY_MS, base * 2 ** Math.max(0, attempts - 1));
    return delay + randomInt(0, Math.max(1, Math.floor(delay / 10)));
  }

  async deliver(id: unknown): Promise<DeliveryOutcome> {
    if (!isOutboxId(id)) return { kind: 'skipped' };
    const row = await this.outbox.find(id);
    if (!row || (row.status !== 'pending' && row.status !== 'failed')) return { kind: 'skipped' };

    let mail: RenderedMail & { to: string };
    try {
      mail = await this.prepare(row);
    } catch (error) {
      const render = error instanceof RenderError;
      return this.fail(
        row,
        render ? MAIL_FAILURE_CODES.render : MAIL_FAILURE_CODES.unreadable,
        render,
      );
    }

    try {
      await this.transport.send({
        id: row.id,
        from: this.config.mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
      });
    } catch (error) {
      const failure = classifySendError(error, this.transport.kind);
      return this.fail(row, failure.code, failure.permanent);
    }

    if (await this.outbox.markSent(row.id, row.attempts)) {
      this.logger.log(
        `mail ${row.id} sent (template=${row.template}, attempt=${row.attempts + 1})`,
      );
      return { kind: 'sent' };
    }
    return { kind: 'skipped' };
  }

  private async prepare(row: MailOutboxRow): Promise<RenderedMail & { to: string }> {
    if (row.recipientSealed === null || row.paramsSealed === null) {
      throw new Error('sealed data missing');
    }
    const to = await this.cipher.decrypt(row.recipientSealed, recipientContext(row.id));
    const paramsJson = await this.cipher.decrypt(row.paramsSealed, paramsContext(row.id));
    try {
      if (!(MAIL_LOCALES as readonly string[]).includes(row.locale)) throw new Error('locale');
      const { template, params } = parseTemplateParams(row.template, JSON.parse(paramsJson));
      const rendered = renderMail(template, row.locale as MailLocale, params, {
        publicBaseUrl: this.config.mail.publicBaseUrl,
        shopName: this.config.shopName,
      });
      return { ...rendered, to };
    } catch {
      throw new RenderError();
    }
  }

  private async fail(
    row: MailOutboxRow,
    code: string,
    permanent: boolean,
  ): Promise<DeliveryOutcome> {
    const attempt = row.attempts + 1;
    if (permanent || attempt >= this.config.mail.maxAttempts) {
      const marked = await this.outbox.markDead(row.id, row.attempts, code);
      this.logger.error(
        `mail ${row.id} dead (template=${row.template}, attempt=${attempt}, code=${code}${permanent ? ', permanent' : ''})`,
      );
      return marked ? { kind: 'dead' } : { kind: 'skipped' };
    }
    const delayMs = this.retryDelayMs(attempt);
    const marked = await this.outbox.markFailed(row.id, row.attempts, code, delayMs);
    this.logger.warn(
      `mail ${row.id} failed, retry in ${delayMs} ms (template=${row.template}, attempt=${attempt}, code=${code})`,
    );
    return marked ? { kind: 'retry', delayMs } : { kind: 'skipped' };
  }
}

class RenderError extends Error {
  constructor() {
    super('the stored message does not match its template');
    this.name = 'RenderError';
  }
}
