import {
  Inject,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, map, of, switchMap, type Observable } from 'rxjs';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { PUBLIC_CACHE, cacheKeyOf, etagOf } from './public-cache';
import { PublicResponseCache } from './public-response-cache.service';

/**
 * Serves `@PublicCache()` routes from the Redis response cache and marks their responses public
 * and cacheable with an ETag (the conditional-GET hook answers 304 when it matches). Other routes
 * keep the default `Cache-Control: no-store`.
 */
@Injectable()
export class PublicCacheInterceptor implements NestInterceptor {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(PublicResponseCache) private readonly cache: PublicResponseCache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const cacheable = this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_CACHE, [
      context.getHandler(),
      context.getClass(),
    ]);
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    if (cacheable !== true || request.method !== 'GET') return next.handle();
    const reply = http.getResponse<FastifyReply>();
    const key = cacheKeyOf(request.url);
    const version = this.cache.currentVersion();
    const { maxAgeSeconds, ttlSeconds } = this.config.catalogueCache;

    const send = (etag: string, body: string, hit: boolean): string => {
      reply
        .header('cache-control', `public, max-age=${maxAgeSeconds}`)
        .header('etag', etag)
        .header('x-cache', hit ? 'hit' : 'miss')
        .type('application/json; charset=utf-8');
      return body;
    };

    const cached = version === null ? Promise.resolve(null) : this.cache.get(key, version);
    return from(cached).pipe(
      switchMap((hit) => {
        if (hit) return of(send(hit.etag, hit.body, true));
        return next.handle().pipe(
          map((result) => {
            const body = JSON.stringify(result);
            const etag = etagOf(body);
            if (version !== null) void this.cache.put(key, version, { etag, body }, ttlSeconds);
            return send(etag, body, false);
          }),
        );
      }),
    );
  }
}
