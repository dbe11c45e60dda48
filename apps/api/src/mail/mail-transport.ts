import { mkdir, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createTransport } from 'nodemailer';
import type { AppConfig } from '../config/app-config';

/** A rendered message addressed to one recipient. */
export interface OutgoingMail {
  /** The outbox id: names the `.eml` file and makes the Message-ID stable across retries. */
  id: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * Where mail leaves the application: the one adapter around nodemailer. `send` resolves once the
 * server accepted the message and rejects with nodemailer's error (its `code`/`responseCode` are
 * classified by the caller; its message may contain the recipient and is never logged).
 */
export interface MailTransport {
  readonly kind: 'smtp' | 'file' | 'none';
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** Injection token of the {@link MailTransport}. */
export const MAIL_TRANSPORT = Symbol('MAIL_TRANSPORT');

/** Headers every message carries: it is automatic (RFC 3834) and must not trigger auto-replies. */
const COMMON_HEADERS = { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' };

function messageId(mail: OutgoingMail): string {
  const at = mail.from.lastIndexOf('@');
  const domain = mail.from.slice(at + 1).replace(/[>\s].*$/, '') || 'localhost';
  return `<${mail.id}@${domain}>`;
}

function nodemailerMessage(mail: OutgoingMail) {
  return {
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: messageId(mail),
    headers: COMMON_HEADERS,
    // Nothing in a message may make nodemailer read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/**
 * SMTP through nodemailer. Host, port and credentials come from `SMTP_URL` (parsed here, so
 * nodemailer never reads options such as `tls.rejectUnauthorized` from a URL query); certificates
 * are always verified; `SMTP_TLS=required` refuses to send over a connection that is not
 * encrypted (implicit TLS with `smtps://`, otherwise STARTTLS). One connection per message: no
 * state survives an SMTP outage.
 */
export class SmtpMailTransport implements MailTransport {
  readonly kind = 'smtp';
  private readonly transporter;

  constructor(settings: Extract<AppConfig['mail']['transport'], { kind: 'smtp' }>) {
    const url = new URL(settings.url);
    const secure = url.protocol === 'smtps:';
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.transporter = createTransport({
      host,
      port: url.port ? Number(url.port) : secure ? 465 : 587,
      secure,
      requireTLS: !secure && settings.tls === 'required',
      ...(url.username
        ? {
            auth: {
              user: decodeURIComponent(url.username),
              pass: decodeURIComponent(url.password),
            },
          }
        : {}),
      tls: {
        minVersion: 'TLSv1.2',
        rejectUnauthorized: true,
        servername: host,
        ...(settings.caFile ? { ca: readFileSync(settings.caFile, 'utf8') } : {}),
      },
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
      logger: false,
      debug: false,
    });
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.transporter.sendMail(nodemailerMessage(mail));
  }

  close(): void {
    this.transporter.close();
  }
}

/**
 * Development: each message becomes an `.eml` file in `MAIL_DIR` (open it with any mail client).
 * The folder and files are readable by their owner only, since they hold personal data and live
 * links. Production refuses this transport.
 */
export class FileMailTransport implements MailTransport {
  readonly kind = 'file';
  private readonly transporter = createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'unix',
  });

  constructor(private readonly directory: string) {}

  async send(mail: OutgoingMail): Promise<void> {
    const info = await this.transporter.sendMail(nodemailerMessage(mail));
    const raw = info.message;
    if (!Buffer.isBuffer(raw)) throw new Error('stream transport returned no buffer');
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    await writeFile(path.join(this.directory, `${stamp}-${mail.id}.eml`), raw, {
      mode: 0o600,
      flag: 'wx',
    });
  }

  close(): void {
    this.transporter.close();
  }
}

/**
 * The transport of a process that sends nothing (the API with `MAIL_WORKER=off` and no
 * `SMTP_URL`): it never runs a delivery, so a send is a bug and fails like a transport error
 * (the row stays due for the worker process).
 */
export class NoMailTransport implements MailTransport {
  readonly kind = 'none';

  send(): Promise<void> {
    return Promise.reject(
      Object.assign(new Error('this process sends no mail (MAIL_WORKER=off)'), {
        code: 'ENOTRANSPORT',
      }),
    );
  }

  close(): void {
    // Nothing was opened.
  }
}

/** The transport the configuration asks for. */
export function createMailTransport(config: AppConfig['mail']): MailTransport {
  switch (config.transport.kind) {
    case 'smtp':
      return new SmtpMailTransport(config.transport);
    case 'file':
      return new FileMailTransport(config.transport.dir);
    case 'none':
      return new NoMailTransport();
  }
}
