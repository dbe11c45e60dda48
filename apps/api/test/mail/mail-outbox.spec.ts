import { readdir, readFile, stat, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailMessage } from '../../src/mail/mail-message';
import { MailOutbox } from '../../src/mail/mail-outbox.service';
import { recipientContext } from '../../src/mail/mail-outbox.repository';
import { MailRelay } from '../../src/mail/mail-relay.subscriber';
import { MailWorker } from '../../src/mail/mail-worker.service';
import { FIELD_CIPHER, type FieldCipher } from '../../src/privacy/encryption/field-cipher';
import { startSmtpListener, type SmtpListener } from '../support/smtp-listener';
import { TcpProxy } from '../support/tcp-proxy';
import {
  captureLogs,
  createMailDatabase,
  eventually,
  rawRow,
  randomToken,
  startMailContext,
  uniqueRecipient,
  type LogCapture,
  type MailDatabase,
} from './mail-fixture';

const SCRIPT = '<script>alert(document.cookie)</script>';

function signInNotice(to: string, device = SCRIPT): MailMessage {
  return {
    template: 'new-sign-in',
    locale: 'en',
    to,
    params: { signedInAt: '2026-11-21T15:41:00Z', device, ipAddress: '203.0.113.7' },
  };
}

function resetLink(to: string, token: string): MailMessage {
  return {
    template: 'password-reset',
    locale: 'fr',
    to,
    params: { token, expiresInMinutes: 60, name: 'Zoé Martin' },
  };
}

/** Enqueues `message` in a transaction of `dataSource` and commits. */
async function enqueueCommitted(
  outbox: MailOutbox,
  dataSource: DataSource,
  message: MailMessage,
): Promise<string> {
  return dataSource.transaction((manager) => outbox.enqueue(manager, message));
}

let db: MailDatabase;

beforeAll(async () => {
  db = await createMailDatabase();
});

afterAll(async () => {
  await db.drop();
});

describe('mail outbox (BullMQ on Redis, real SMTP listener, API with MAIL_WORKER=inline)', () => {
  let smtp: SmtpListener;
  let app: INestApplicationContext;
  let outbox: MailOutbox;
  let dataSource: DataSource;
  const logs: LogCapture = captureLogs();
  /** Everything personal that went through the outbox here: none of it may reach a log line. */
  const secrets: string[] = [SCRIPT, 'Zoé Martin', '203.0.113.7'];

  beforeAll(async () => {
    smtp = await startSmtpListener();
    app = await startMailContext(db.config(smtp.env), 'api', logs);
    outbox = app.get(MailOutbox);
    dataSource = app.get(DataSource);
  });

  afterAll(async () => {
    await app.close();
    await smtp.close();
  });

  it('delivers a committed message exactly once, with every parameter escaped in the HTML', async () => {
    const to = uniqueRecipient('committed');
    secrets.push(to);
    const id = await enqueueCommitted(outbox, dataSource, signInNotice(to));

    const mail = await smtp.waitFor((m) => m.to.includes(to));
    expect(mail.to).toEqual([to]);
    expect(mail.from).toBe('no-reply@shop.example');
    expect(mail.subject).toBe('New sign-in to your account — Storefront');
    expect(mail.headers['message-id']).toBe(`<${id}@shop.example>`);
    expect(mail.headers['auto-submitted']).toBe('auto-generated');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;alert(document.cookie)&lt;/script&gt;');
    expect(mail.text).toContain(`Device: ${SCRIPT}`);
    expect(mail.text).toContain('https://shop.example/en/account/security');

    // Handing the row over again (relay and sweeper racing, a re-queued job) sends nothing more.
    await app.get(MailRelay).dispatch([id]);
    await app.get(MailWorker).sweep();
    const row = await eventually(async () => {
      const r = await rawRow(db, id);
      return r?.status === 'sent' ? r : undefined;
    }, 'the row to be marked sent');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(smtp.to(to)).toHaveLength(1);

    // Data minimisation: the status row stays, the sealed recipient and parameters are gone.
    expect(row).toMatchObject({
      template: 'new-sign-in',
      locale: 'en',
      status: 'sent',
      attempts: 1,
      recipient_sealed: null,
      params_sealed: null,
      last_error_code: null,
    });
    expect(row.sent_at).toBeInstanceOf(Date);
    expect(row.queued_at).toBeInstanceOf(Date);
  });

  it('sends nothing for a transaction that rolls back', async () => {
    const rolledBack = uniqueRecipient('rolled-back');
    const committed = uniqueRecipient('after-rollback');
    secrets.push(rolledBack, committed);
    let rolledBackId = '';
    await expect(
      dataSource.transaction(async (manager) => {
        rolledBackId = await outbox.enqueue(manager, signInNotice(rolledBack, 'Firefox'));
        throw new Error('the business change failed');
      }),
    ).rejects.toThrow('the business change failed');

    // A message committed afterwards arrives; by then the rolled-back one would have too, and the
    // sweeper has run several times.
    await enqueueCommitted(outbox, dataSource, signInNotice(committed, 'Firefox'));
    await smtp.waitFor((m) => m.to.includes(committed));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(smtp.to(rolledBack)).toEqual([]);
    expect(rolledBackId).not.toBe('');
    expect(await rawRow(db, rolledBackId)).toBeUndefined();
  });

  it('stores the recipient and the parameters sealed, bound to their row', async () => {
    const to = uniqueRecipient('sealed');
    const token = randomToken();
    secrets.push(to, token);
    const cipher = app.get<FieldCipher>(FIELD_CIPHER);
    await dataSource.transaction(async (manager) => {
      const id = await outbox.enqueue(manager, resetLink(to, token));
      // The row as written, read inside the transaction before anything can erase it.
      const [row] = await manager.query<{ json: string }[]>(
        `SELECT row_to_json(m)::text AS json FROM mail_outbox m WHERE id = $1`,
        [id],
      );
      const stored = row?.json ?? '';
      expect(stored).toContain(id);
      for (const clear of [to, to.split('@')[0] ?? to, token, 'Zoé', 'Martin']) {
        expect(stored).not.toContain(clear);
      }
      const [sealed] = await manager.query<{ recipient_sealed: string }[]>(
        `SELECT recipient_sealed FROM mail_outbox WHERE id = $1`,
        [id],
      );
      // Sealed with the FieldCipher for this row: it opens here, and nowhere else.
      expect(await cipher.decrypt(sealed?.recipient_sealed ?? '', recipientContext(id))).toBe(to);
      await expect(
        cipher.decrypt(sealed?.recipient_sealed ?? '', recipientContext(randomUUIDLike())),
      ).rejects.toThrow();
    });
    const mail = await smtp.waitFor((m) => m.to.includes(to));
    expect(mail.subject).toBe('Réinitialisez votre mot de passe — Storefront');
    expect(mail.text).toContain(`https://shop.example/fr/account/reset-password#token=${token}`);
    expect(mail.text).toContain('Bonjour Zoé Martin,');
  });

  it('retries while the SMTP server is down and sends once it is back', async () => {
    const to = uniqueRecipient('outage');
    secrets.push(to);
    await smtp.stop();
    try {
      const id = await enqueueCommitted(outbox, dataSource, signInNotice(to, 'Safari'));
      const failed = await eventually(async () => {
        const r = await rawRow(db, id);
        return r && r.attempts >= 2 ? r : undefined;
      }, 'two failed attempts');
      expect(failed.status).toBe('failed');
      expect(failed.last_error_code).toMatch(/^SMTP_[A-Z0-9_]+$/);
      expect(failed.recipient_sealed).not.toBeNull();
      expect(smtp.to(to)).toEqual([]);
      await smtp.start();
      await smtp.waitFor((m) => m.to.includes(to));
      const sent = await eventually(async () => {
        const r = await rawRow(db, id);
        return r?.status === 'sent' ? r : undefined;
      }, 'the row to be marked sent');
      expect(sent.attempts).toBeGreaterThanOrEqual(3);
      expect(sent.recipient_sealed).toBeNull();
      expect(smtp.to(to)).toHaveLength(1);
    } finally {
      await smtp.start();
    }
  });

  it('gives up at once on a permanent refusal, and erases the sealed data', async () => {
    const to = uniqueRecipient('refused');
    secrets.push(to);
    smtp.reject(to, 550);
    const id = await enqueueCommitted(outbox, dataSource, signInNotice(to, 'Edge'));
    const dead = await eventually(async () => {
      const r = await rawRow(db, id);
      return r?.status === 'dead' ? r : undefined;
    }, 'the row to be dead');
    expect(dead).toMatchObject({
      attempts: 1,
      last_error_code: 'SMTP_550',
      recipient_sealed: null,
      params_sealed: null,
      sent_at: null,
    });
  });

  it('marks a message dead after MAIL_MAX_ATTEMPTS temporary failures', async () => {
    const to = uniqueRecipient('deferred');
    secrets.push(to);
    smtp.reject(to, 451);
    const id = await enqueueCommitted(outbox, dataSource, signInNotice(to, 'Opera'));
    const dead = await eventually(async () => {
      const r = await rawRow(db, id);
      return r?.status === 'dead' ? r : undefined;
    }, 'the row to be dead');
    expect(dead).toMatchObject({
      attempts: 5,
      last_error_code: 'SMTP_451',
      recipient_sealed: null,
    });
  });

  it('sends a message whose commit was never followed by an enqueue (crash), via the sweeper', async () => {
    const to = uniqueRecipient('orphan');
    secrets.push(to);
    // Committed through a DataSource the relay does not watch: exactly what a process killed
    // between COMMIT and the BullMQ add leaves behind.
    const id = await enqueueCommitted(outbox, db.detached, signInNotice(to, 'Vivaldi'));
    expect((await rawRow(db, id))?.queued_at).toBeNull();
    await smtp.waitFor((m) => m.to.includes(to), 20_000);
    const row = await eventually(async () => {
      const r = await rawRow(db, id);
      return r?.status === 'sent' ? r : undefined;
    }, 'the row to be marked sent');
    expect(row.queued_at).toBeInstanceOf(Date);
    expect(smtp.to(to)).toHaveLength(1);
  });

  it('never logs a recipient, a parameter or a body', () => {
    const text = logs.text();
    expect(text).toContain('sent (template=new-sign-in');
    expect(text).toContain('code=SMTP_550');
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toContain('@example.test');
    expect(text).not.toContain('reset-password#token');
  });
});

describe('mail transport security', () => {
  it('never sends in clear when SMTP_TLS=required and the server offers no STARTTLS', async () => {
    const smtp = await startSmtpListener();
    const app = await startMailContext(db.config({ ...smtp.env, SMTP_TLS: 'required' }));
    try {
      const to = uniqueRecipient('plaintext');
      const id = await enqueueCommitted(app.get(MailOutbox), app.get(DataSource), signInNotice(to));
      const failed = await eventually(async () => {
        const r = await rawRow(db, id);
        return r && r.attempts >= 1 ? r : undefined;
      }, 'a failed attempt');
      expect(failed.status).toBe('failed');
      expect(failed.last_error_code).toMatch(/^SMTP_/);
      expect(smtp.messages).toEqual([]);
    } finally {
      await app.close();
      await smtp.close();
      await db.owner.query(
        `UPDATE mail_outbox SET status = 'dead', recipient_sealed = NULL, params_sealed = NULL
          WHERE status IN ('pending', 'failed')`,
      );
    }
  });
});

describe('mail during a Redis outage', () => {
  it('commits without waiting, queues once Redis is back, and shuts down while it is away', async () => {
    const smtp = await startSmtpListener();
    const redisUrl = new URL(
      db.config().redis.kind === 'redis' ? (db.config().redis as { url: string }).url : '',
    );
    const proxy = await new TcpProxy(redisUrl.hostname, Number(redisUrl.port || 6379)).start();
    const app = await startMailContext(
      db.config({ ...smtp.env, REDIS_URL: proxy.wrap(redisUrl.toString()) }),
    );
    let closed = false;
    try {
      await proxy.cut();
      const to = uniqueRecipient('redis-outage');
      const started = Date.now();
      const id = await enqueueCommitted(app.get(MailOutbox), app.get(DataSource), signInNotice(to));
      expect(Date.now() - started).toBeLessThan(1_000);
      await new Promise((resolve) => setTimeout(resolve, 3_500));
      expect((await rawRow(db, id))?.queued_at).toBeNull();
      expect(smtp.messages).toEqual([]);

      await proxy.start();
      await smtp.waitFor((m) => m.to.includes(to), 25_000);
      await eventually(
        async () => ((await rawRow(db, id))?.status === 'sent' ? true : undefined),
        'sent',
      );

      await proxy.cut();
      const closing = Date.now();
      await app.close();
      closed = true;
      expect(Date.now() - closing).toBeLessThan(5_000);
    } finally {
      if (!closed) await app.close();
      await proxy.cut();
      await smtp.close();
    }
  }, 45_000);
});

describe('mail worker as its own process', () => {
  it('leaves sending to the worker process when the API runs with MAIL_WORKER=off', async () => {
    const smtp = await startSmtpListener();
    const config = db.config({ ...smtp.env, MAIL_WORKER: 'off' });
    const api = await startMailContext(config, 'api');
    let worker: INestApplicationContext | undefined;
    try {
      const to = uniqueRecipient('split');
      const id = await enqueueCommitted(api.get(MailOutbox), api.get(DataSource), signInNotice(to));
      // Queued by the API (after commit), but nobody sends it yet.
      await eventually(
        async () => ((await rawRow(db, id))?.queued_at ? true : undefined),
        'queued',
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(smtp.messages).toEqual([]);
      // The worker process (same configuration: same Redis prefix) picks the job up.
      worker = await startMailContext(config, 'worker');
      await smtp.waitFor((m) => m.to.includes(to));
      await eventually(
        async () => ((await rawRow(db, id))?.status === 'sent' ? true : undefined),
        'sent',
      );
    } finally {
      await worker?.close();
      await api.close();
      await smtp.close();
    }
  });
});

describe('mail without Redis (development)', () => {
  it('sends from the committing process and writes owner-only .eml files', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'storefront-mail-'));
    const mailDir = path.join(dir, 'mail');
    const base = db.config();
    const config = {
      ...base,
      redis: { kind: 'memory' as const, keyPrefix: base.redis.keyPrefix },
      mail: { ...base.mail, transport: { kind: 'file' as const, dir: mailDir } },
    };
    const app = await startMailContext(config);
    try {
      const to = uniqueRecipient('file');
      const token = randomToken();
      const id = await enqueueCommitted(
        app.get(MailOutbox),
        app.get(DataSource),
        resetLink(to, token),
      );
      const files = await eventually(async () => {
        const names = await readdir(mailDir).catch(() => []);
        return names.length > 0 ? names : undefined;
      }, 'an .eml file');
      expect(files).toHaveLength(1);
      const file = path.join(mailDir, files[0] ?? '');
      expect(file.endsWith(`${id}.eml`)).toBe(true);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect((await stat(mailDir)).mode & 0o777).toBe(0o700);
      const eml = await readFile(file, 'utf8');
      expect(eml).toMatch(/^Subject: =\?UTF-8\?Q\?R=C3=A9initialisez/m);
      expect(eml).toContain(`To: ${to}`);
      await eventually(
        async () => ((await rawRow(db, id))?.status === 'sent' ? true : undefined),
        'sent',
      );
    } finally {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** A syntactically valid id of another row. */
function randomUUIDLike(): string {
  return '00000000-0000-4000-8000-000000000000';
}
