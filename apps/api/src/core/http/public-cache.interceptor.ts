import {
  Inject,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  type Type,
} from '@nestjs/common';
import {
  EXCEPTION_FILTERS_METADATA,
  GUARDS_METADATA,
  INTERCEPTORS_METADATA,
} from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, map, of, type Observable } from 'rxjs';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { CacheAdmission } from './cache-admission';
import { IS_PUBLIC } from './public.decorator';
import { PUBLIC_CACHE, cacheKeyOf, etagOf } from './public-cache';
import { PublicResponseCache, type CachedResponse } from './public-response-cache.service';

const JSON_UTF8 = 'application/json; charset=utf-8';

/** A `@PublicCache()` route as the fast path needs it: the handler and controller it runs. */
export interface CacheableRoute {
  handler: (...args: never[]) => unknown;
  classRef: Type<unknown>;
}

/** What the fast path finds for a request of a route this interceptor has served. */
export interface FastPathLookup {
  route: CacheableRoute;
  key: string;
  version: number;
  /** The in-process cached response, if any. */
  response: CachedResponse | undefined;
}

/** Whether a handler is cacheable, and whether the fast path may serve its hits. */
interface RouteRule {
  cacheable: boolean;
  fastPath: boolean;
}

/**
 * Serves `@PublicCache()` routes from the response cache (in-process, then Redis) and marks their
 * responses public and cacheable with an ETag (the conditional-GET hook answers 304 when it
 * matches). A miss is stored on its key's second miss ({@link CacheAdmission}), so a URL is served
 * from the cache from its third request on. Other routes keep the default
 * `Cache-Control: no-store`. It runs after the guards, so a cached response is rate limited and
 * access checked like any other.
 *
 * A cacheable route must also be `@Public()`: a response cached for one caller is served to all.
 * Routes it has served are recorded for the fast path (see `public-cache-fast-path.ts`), which
 * answers their later requests through {@link lookup}, {@link fetchShared}, {@link answerMiss}
 * and {@link sendResponse}.
 */
@Injectable()
export class PublicCacheInterceptor implements NestInterceptor {
  private readonly cacheControl: string;
  private readonly ttlSeconds: number;
  /** Route metadata is static: it is read once per handler. */
  private readonly rules = new WeakMap<object, RouteRule>();
  /** Cacheable routes served so far, by `METHOD /route/:pattern`. */
  private readonly routes = new Map<string, CacheableRoute>();
  /** A miss is stored only if its key was missed before: one-off URLs are not worth storing. */
  private readonly admission = new CacheAdmission();

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(PublicResponseCache) private readonly cache: PublicResponseCache,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.cacheControl = `public, max-age=${config.catalogueCache.maxAgeSeconds}`;
    this.ttlSeconds = config.catalogueCache.ttlSeconds;
  }

  private ruleFor(context: ExecutionContext): RouteRule {
    const handler = context.getHandler();
    let rule = this.rules.get(handler);
    if (rule === undefined) {
      const targets = [handler, context.getClass()];
      const cacheable =
        this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_CACHE, targets) === true;
      if (
        cacheable &&
        this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, targets) !== true
      ) {
        throw new Error(
          `Route ${context.getClass().name}.${handler.name} is @PublicCache() but not @Public()`,
        );
      }
      // Guards, interceptors or filters declared on the route itself are not run by the fast path.
      const routeEnhancers = targets.some((target) =>
        [GUARDS_METADATA, INTERCEPTORS_METADATA, EXCEPTION_FILTERS_METADATA].some(
          (key) => Reflect.getMetadata(key, target) !== undefined,
        ),
      );
      rule = { cacheable, fastPath: cacheable && !routeEnhancers };
      this.rules.set(handler, rule);
    }
    return rule;
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    if (request.method !== 'GET') return next.handle();
    const rule = this.ruleFor(context);
    if (!rule.cacheable) return next.handle();
    const reply = http.getResponse<FastifyReply>();
    const key = cacheKeyOf(request.url);
    const version = this.cache.currentVersion();

    const send = (response: CachedResponse, hit: boolean): Buffer => {
      if (rule.fastPath) this.remember(request, context);
      this.sendHeaders(reply, response, hit);
      return response.body;
    };

    const local = version === null ? undefined : this.cache.peek(key, version);
    if (local) return of(send(local, true));
    return from(this.answerMiss(key, version, () => lastValueFrom(next.handle()))).pipe(
      map(({ response, hit }) => send(response, hit)),
    );
  }

  /**
   * The answer when the in-process tier has none: the shared Redis tier's (`shared`, if the
   * caller started fetching it already with {@link fetchShared}), or else the handler's result
   * (`produce`, called only then), rendered and stored on its key's second miss. With no cache
   * version (Redis unreachable) the handler answers and nothing is stored.
   */
  async answerMiss(
    key: string,
    version: number | null,
    produce: () => Promise<unknown>,
    shared?: Promise<CachedResponse | null>,
  ): Promise<{ response: CachedResponse; hit: boolean }> {
    if (version !== null) {
      const entry = await (shared ?? this.fetchShared(key, version));
      if (entry) return { response: entry, hit: true };
    }
    const response = render(await produce());
    if (version !== null && this.admission.admitsOnMiss(key)) {
      void this.cache.put(key, version, response, this.ttlSeconds);
    }
    return { response, hit: false };
  }

  /** The shared Redis tier's entry for `key` under `version`, or null; never rejects. */
  fetchShared(key: string, version: number): Promise<CachedResponse | null> {
    return this.cache.get(key, version, this.ttlSeconds);
  }

  private remember(request: FastifyRequest, context: ExecutionContext): void {
    const route = `${request.method} ${request.routeOptions.url ?? ''}`;
    if (!this.routes.has(route)) {
      this.routes.set(route, {
        handler: context.getHandler() as CacheableRoute['handler'],
        classRef: context.getClass(),
      });
    }
  }

  /**
   * For the fast path: this request's route, if it has been served through this interceptor
   * before, with its cache key and version and the in-process cached response, if there is one
   * for the current version. Undefined while there is no cache version (Redis unreachable).
   */
  lookup(request: FastifyRequest): FastPathLookup | undefined {
    const route = this.routes.get(`${request.method} ${request.routeOptions.url ?? ''}`);
    if (route === undefined) return undefined;
    const version = this.cache.currentVersion();
    if (version === null) return undefined;
    const key = cacheKeyOf(request.url);
    return { route, key, version, response: this.cache.peek(key, version) };
  }

  /** Sends a response for the fast path, with the same headers as this interceptor sets. */
  sendResponse(reply: FastifyReply, response: CachedResponse, hit: boolean): void {
    this.sendHeaders(reply, response, hit);
    void reply.send(response.body);
  }

  private sendHeaders(reply: FastifyReply, response: CachedResponse, hit: boolean): void {
    void reply
      .header('cache-control', this.cacheControl)
      .header('etag', response.etag)
      .header('x-cache', hit ? 'hit' : 'miss')
      .type(JSON_UTF8);
  }
}

function render(result: unknown): CachedResponse {
  const body = Buffer.from(JSON.stringify(result), 'utf8');
  return { etag: etagOf(body), body };
}
