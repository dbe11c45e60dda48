import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** The answer of one request made by a {@link Browser}. */
export interface BrowserResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test convenience
}

/** Options of one request. */
export interface BrowserRequest {
  body?: unknown;
  headers?: Record<string, string>;
  /** Omit the CSRF token even when the browser holds one. */
  withoutCsrf?: boolean;
}

const SID = /__Host-sid=([^;]*)/;

/**
 * A minimal same-origin browser for HTTP tests: keeps the `__Host-sid` cookie as a browser would
 * (Fastify's inject runs over plain HTTP, where a real cookie jar would drop Secure cookies),
 * sends `Sec-Fetch-Site: same-origin` and the CSRF token like the web app does, and comes from a
 * chosen client address.
 */
export class Browser {
  sid: string | undefined;
  csrfToken: string | undefined;

  constructor(
    private readonly app: NestFastifyApplication,
    readonly remoteAddress = '203.0.113.10',
  ) {}

  async request(
    method: string,
    url: string,
    options: BrowserRequest = {},
  ): Promise<BrowserResponse> {
    const headers: Record<string, string> = {
      'sec-fetch-site': 'same-origin',
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(this.sid ? { cookie: `__Host-sid=${this.sid}` } : {}),
      ...(this.csrfToken && !options.withoutCsrf ? { 'x-csrf-token': this.csrfToken } : {}),
      ...options.headers,
    };
    const response = await this.app
      .getHttpAdapter()
      .getInstance()
      .inject({
        method: method as 'GET',
        url,
        headers,
        remoteAddress: this.remoteAddress,
        ...(options.body === undefined ? {} : { payload: JSON.stringify(options.body) }),
      });
    const setCookie = response.headers['set-cookie'];
    for (const cookie of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      const match = SID.exec(cookie);
      if (match) this.sid = match[1] === '' ? undefined : match[1];
    }
    const body: unknown = response.body === '' ? undefined : (JSON.parse(response.body) as unknown);
    if (
      body &&
      typeof body === 'object' &&
      'csrfToken' in body &&
      typeof body.csrfToken === 'string'
    ) {
      this.csrfToken = body.csrfToken;
    }
    return { status: response.statusCode, headers: response.headers, body };
  }

  get(url: string, options?: BrowserRequest) {
    return this.request('GET', url, options);
  }
  post(url: string, body?: unknown, options?: BrowserRequest) {
    return this.request('POST', url, { ...options, body: body ?? {} });
  }
  put(url: string, body?: unknown, options?: BrowserRequest) {
    return this.request('PUT', url, { ...options, body: body ?? {} });
  }
  delete(url: string, options?: BrowserRequest) {
    return this.request('DELETE', url, options);
  }

  /** Fetches the session state (and its CSRF token), as the web app does on load. */
  async refreshCsrf(): Promise<void> {
    const state = await this.get('/api/auth/session');
    this.csrfToken = (state.body as { csrfToken: string | null }).csrfToken ?? undefined;
  }
}
