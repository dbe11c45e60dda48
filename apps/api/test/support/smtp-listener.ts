import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';

/** A message the listener accepted, with its MIME parts decoded. */
export interface ReceivedMail {
  /** Envelope sender (MAIL FROM). */
  from: string;
  /** Envelope recipients (RCPT TO). */
  to: string[];
  /** Header fields, names in lower case, values unfolded and RFC 2047-decoded. */
  headers: Record<string, string>;
  subject: string;
  /** The decoded text/plain part ('' if none). */
  text: string;
  /** The decoded text/html part ('' if none). */
  html: string;
  /** Whether the SMTP session was encrypted (STARTTLS) when the message arrived. */
  secure: boolean;
  raw: string;
}

/** Options of {@link startSmtpListener}. */
export interface SmtpListenerOptions {
  /** Port to listen on (0 = any free one). */
  port?: number;
}

/**
 * A real SMTP server on 127.0.0.1 for tests (the `smtp-server` package): the API's mail worker
 * delivers to it over a real socket through nodemailer, nothing is mocked. It offers no STARTTLS
 * (so `SMTP_TLS=required` must refuse it), can be stopped and restarted on the same port to play
 * an outage, and can refuse chosen recipients permanently.
 */
export class SmtpListener {
  readonly messages: ReceivedMail[] = [];
  port = 0;
  private server: SMTPServer | undefined;
  private readonly rejected = new Map<string, number>();
  private readonly waiters = new Set<() => void>();

  private readonly options: SmtpListenerOptions;

  // A plain field, not a parameter property: the browser stack (test/support/full-stack.mjs)
  // imports this file with Node's type stripping, which has no parameter properties.
  constructor(options: SmtpListenerOptions = {}) {
    this.options = options;
  }

  /** `smtp://127.0.0.1:<port>` */
  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Variables that point the API's mail transport here. */
  get env(): Record<string, string> {
    return { MAIL_TRANSPORT: 'smtp', SMTP_URL: this.url, SMTP_TLS: 'opportunistic' };
  }

  /** Starts (or restarts, on the same port) accepting connections. */
  async start(): Promise<this> {
    if (this.server) return this;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      closeTimeout: 50,
      size: 1024 * 1024,
      onRcptTo: (address: SMTPServerAddress, _session, callback) => {
        const code = this.rejected.get(address.address.toLowerCase());
        if (code === undefined) {
          callback();
          return;
        }
        const error = new Error(`mailbox ${address.address} unavailable`) as Error & {
          responseCode: number;
        };
        error.responseCode = code;
        callback(error);
      },
      onData: (stream, session: SMTPServerSession, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          this.receive(Buffer.concat(chunks).toString('utf8'), session);
          callback();
        });
      },
    });
    server.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.port || this.options.port || 0, '127.0.0.1', () => {
        resolve();
      });
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Stops accepting connections (an SMTP outage); `start()` brings it back on the same port. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    }
  }

  /** Answers RCPT TO for `address` with `code` (550 = permanent refusal). */
  reject(address: string, code = 550): void {
    this.rejected.set(address.toLowerCase(), code);
  }

  /** Messages sent to `address`. */
  to(address: string): ReceivedMail[] {
    return this.messages.filter((m) => m.to.includes(address.toLowerCase()));
  }

  /**
   * The newest message matching `predicate`, waiting for one to arrive (up to `timeoutMs`).
   */
  async waitFor(
    predicate: (mail: ReceivedMail) => boolean,
    timeoutMs = 15_000,
  ): Promise<ReceivedMail> {
    const found = () => [...this.messages].reverse().find(predicate);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const mail = found();
      if (mail) return mail;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching mail within ${timeoutMs} ms`);
      await this.nextMessage(left);
    }
  }

  /** Resolves once `count` messages arrived in total (throws after `timeoutMs`). */
  async waitForCount(count: number, timeoutMs = 15_000): Promise<ReceivedMail[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`${this.messages.length} of ${count} mails within ${timeoutMs} ms`);
      await this.nextMessage(left);
    }
    return this.messages;
  }

  async close(): Promise<void> {
    await this.stop();
  }

  private nextMessage(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }

  private receive(raw: string, session: SMTPServerSession): void {
    const mailFrom = session.envelope.mailFrom;
    const part = parsePart(raw);
    const parts = flatten(part);
    this.messages.push({
      from: mailFrom ? mailFrom.address.toLowerCase() : '',
      to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
      headers: part.headers,
      subject: part.headers['subject'] ?? '',
      text: parts.find((p) => p.type === 'text/plain')?.body ?? '',
      html: parts.find((p) => p.type === 'text/html')?.body ?? '',
      secure: session.secure,
      raw,
    });
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** Starts a listener on a free port. */
export async function startSmtpListener(options: SmtpListenerOptions = {}): Promise<SmtpListener> {
  return new SmtpListener(options).start();
}

// --- A small MIME reader: enough for what nodemailer writes (multipart, QP, base64, RFC 2047). ---

interface MimePart {
  headers: Record<string, string>;
  type: string;
  body: string;
  children: MimePart[];
}

function parsePart(raw: string): MimePart {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split === -1 ? raw : raw.slice(0, split);
  const body = split === -1 ? '' : raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) {
      headers[line.slice(0, colon).trim().toLowerCase()] = decodeWords(
        line.slice(colon + 1).trim(),
      );
    }
  }
  const contentType = headers['content-type'] ?? 'text/plain';
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  if (type.startsWith('multipart/')) {
    const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1] ?? '';
    const children = body
      .split(`--${boundary}`)
      .slice(1)
      .filter((chunk) => !chunk.startsWith('--'))
      .map((chunk) => parsePart(chunk.replace(/^\r?\n/, '')));
    return { headers, type, body: '', children };
  }
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  return { headers, type, body: decodeBody(body, encoding), children: [] };
}

function flatten(part: MimePart): MimePart[] {
  return part.children.length === 0 ? [part] : part.children.flatMap(flatten);
}

function decodeBody(body: string, encoding: string): string {
  if (encoding === 'base64')
    return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  return body;
}

function decodeQuotedPrintable(value: string): string {
  const joined = value.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const c = joined[i];
    const hex = joined.slice(i + 1, i + 3);
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c ?? '', 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`). */
function decodeWords(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(
      /=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g,
      (_m, _charset: string, kind: string, text: string) =>
        kind.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64').toString('utf8')
          : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    );
}
