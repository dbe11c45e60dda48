import {
  ForbiddenException,
  type CanActivate,
  type ExceptionFilter,
  type ExecutionContext,
  type Type,
} from '@nestjs/common';
import { FILTER_CATCH_EXCEPTIONS } from '@nestjs/common/constants';
import { ApplicationConfig } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isObservable, lastValueFrom } from 'rxjs';
import { PublicCacheInterceptor, type CacheableRoute } from './public-cache.interceptor';

/** A global exception filter and the exception types it catches (none: everything). */
interface Filter {
  filter: ExceptionFilter;
  catches: Type<unknown>[];
}

/** What the fast path runs: every global guard, the global exception filters, the cache. */
interface FastPathPlan {
  guards: CanActivate[];
  filters: Filter[];
  cache: PublicCacheInterceptor;
}

/** The HTTP execution context Nest would build for the route, for its guards and filters. */
/* eslint-disable @typescript-eslint/no-unnecessary-type-parameters -- the signatures are Nest's
   generic ExecutionContext interface, implemented as declared. */
class FastPathContext implements ExecutionContext {
  private readonly args: [FastifyRequest, FastifyReply, undefined];

  constructor(
    request: FastifyRequest,
    reply: FastifyReply,
    private readonly route: CacheableRoute,
  ) {
    this.args = [request, reply, undefined];
  }

  getClass<T = unknown>(): Type<T> {
    return this.route.classRef as Type<T>;
  }
  getHandler(): (...args: never[]) => unknown {
    return this.route.handler;
  }
  getArgs<T extends unknown[] = unknown[]>(): T {
    return this.args as unknown as T;
  }
  getArgByIndex<T = unknown>(index: number): T {
    return this.args[index] as T;
  }
  getType<T extends string = 'http'>(): T {
    return 'http' as T;
  }
  switchToHttp(): ReturnType<ExecutionContext['switchToHttp']> {
    const [request, reply] = this.args;
    return {
      getRequest: <T>() => request as T,
      getResponse: <T>() => reply as T,
      getNext: <T>() => undefined as T,
    };
  }
  switchToRpc(): never {
    throw new Error('not an RPC context');
  }
  switchToWs(): never {
    throw new Error('not a WebSocket context');
  }
}
/* eslint-enable @typescript-eslint/no-unnecessary-type-parameters */

/** Runs the guards in order, as Nest does: a guard answering false is a 403. */
async function activate(guards: CanActivate[], context: ExecutionContext): Promise<void> {
  for (const guard of guards) {
    let result: unknown = guard.canActivate(context);
    if (typeof result !== 'boolean') result = await result;
    if (isObservable(result)) result = await lastValueFrom(result);
    // Nest's own refusal (RouterExecutionContext), with its message.
    if (result !== true) throw new ForbiddenException('Forbidden resource');
  }
}

/**
 * Nest's global guards and exception filters, and the public cache interceptor; or null when hits
 * cannot be served exactly as Nest would: the cache interceptor must be the first global
 * interceptor (Nest runs the interceptors before it on a hit, and none after it, since a hit does
 * not call the handler), no global guard or filter may be request-scoped, and a global filter must
 * catch everything. Also null if the configuration is not reachable.
 */
function planOf(app: NestFastifyApplication): FastPathPlan | null {
  // NestApplication keeps its ApplicationConfig (global enhancers) in a non-public field.
  const config = (app as unknown as { config?: unknown }).config;
  if (!(config instanceof ApplicationConfig)) return null;
  const [cache] = config.getGlobalInterceptors();
  // Like Nest's ExceptionsHandler: the last registered filter that catches the exception answers.
  const filters = config
    .getGlobalFilters()
    .map((filter) => ({
      filter,
      catches:
        (Reflect.getMetadata(FILTER_CATCH_EXCEPTIONS, Object.getPrototypeOf(filter) as object) as
          Type<unknown>[] | undefined) ?? [],
    }))
    .reverse();
  if (
    !(cache instanceof PublicCacheInterceptor) ||
    config.getGlobalRequestGuards().length > 0 ||
    config.getGlobalRequestFilters().length > 0 ||
    !filters.some((f) => f.catches.length === 0)
  ) {
    return null;
  }
  return { guards: config.getGlobalGuards(), filters, cache };
}

/**
 * Serves in-process hits of `@PublicCache()` routes without Nest's per-request pipeline, which
 * costs more than the rest of a cached request put together.
 *
 * It runs as a Fastify `preHandler` hook, so every `onRequest` hook has run (security headers,
 * request id, CSRF origin check); then, as Nest would, it runs every global guard — rate limits
 * included — with the execution context Nest would give them, and a refusal goes to the global
 * exception filter that Nest would pick (one evaluation, one count, one security event). Only if
 * every guard allows does it send the cached body with the interceptor's headers. Anything else —
 * a miss, a route not yet served through the interceptor, a route with its own guards,
 * interceptors or filters — continues to Nest, which handles it as usual.
 */
export function installPublicCacheFastPath(app: NestFastifyApplication): void {
  let plan: FastPathPlan | null | undefined;
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('preHandler', (request, reply, done) => {
      if (request.method !== 'GET') {
        done();
        return;
      }
      plan ??= planOf(app);
      const hit = plan?.cache.findHit(request);
      if (!plan || !hit) {
        done();
        return;
      }
      const { cache, guards, filters } = plan;
      const context = new FastPathContext(request, reply, hit.route);
      activate(guards, context).then(
        () => {
          cache.sendHit(reply, hit.response);
        },
        (error: unknown) => {
          const handler = filters.find(
            ({ catches }) => catches.length === 0 || catches.some((type) => error instanceof type),
          );
          try {
            if (!handler) throw error;
            void handler.filter.catch(error, context);
          } catch {
            // Nest answers whatever its filters could not.
            if (!reply.sent) done();
          }
        },
      );
    });
}
