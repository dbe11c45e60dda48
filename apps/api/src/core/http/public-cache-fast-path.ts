import {
  ForbiddenException,
  type ArgumentMetadata,
  type CanActivate,
  type ExceptionFilter,
  type ExecutionContext,
  type PipeTransform,
  type Type,
} from '@nestjs/common';
import {
  FILTER_CATCH_EXCEPTIONS,
  HEADERS_METADATA,
  HTTP_CODE_METADATA,
  PARAMTYPES_METADATA,
  REDIRECT_METADATA,
  RENDER_METADATA,
  ROUTE_ARGS_METADATA,
  SSE_METADATA,
} from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ApplicationConfig } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isObservable, lastValueFrom } from 'rxjs';
import {
  PublicCacheInterceptor,
  type CacheableRoute,
  type FastPathLookup,
} from './public-cache.interceptor';

/** A global exception filter and the exception types it catches (none: everything). */
interface Filter {
  filter: ExceptionFilter;
  catches: Type<unknown>[];
}

/**
 * What the fast path runs: every global guard, the global exception filters, the cache; and, for
 * misses, the global pipes (null when misses are left to Nest: another global interceptor would
 * have to wrap the handler).
 */
interface FastPathPlan {
  guards: CanActivate[];
  filters: Filter[];
  cache: PublicCacheInterceptor;
  pipes: PipeTransform[] | null;
}

/** Calls a route's handler for a request as Nest would: its argument through the global pipes. */
type Invoke = (request: FastifyRequest) => Promise<unknown>;

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
  const missesToo =
    config.getGlobalInterceptors().length === 1 &&
    config.getGlobalRequestInterceptors().length === 0 &&
    config.getGlobalRequestPipes().length === 0;
  return {
    guards: config.getGlobalGuards(),
    filters,
    cache,
    pipes: missesToo ? config.getGlobalPipes() : null,
  };
}

/** What Nest passes a handler's single argument: `@Query()` or `@Param()`, whole. */
const ARGUMENTS: Partial<Record<RouteParamtypes, (request: FastifyRequest) => unknown>> = {
  [RouteParamtypes.QUERY]: (request) => request.query,
  [RouteParamtypes.PARAM]: (request) => request.params,
};

/**
 * How to call a route's handler outside Nest's pipeline, or null when the fast path cannot do it
 * exactly as Nest would. Supported: handlers with no argument, or with one that is a whole
 * `@Query()` or `@Param()` object without pipes of its own (the global pipes — zod validation —
 * run on it, with the metadata Nest gives them); no status code, header, redirect, template or
 * SSE declared on the handler; a controller that is a singleton.
 */
function invokerOf(
  app: NestFastifyApplication,
  route: CacheableRoute,
  pipes: PipeTransform[],
): Invoke | null {
  const { handler, classRef } = route;
  if (
    [HTTP_CODE_METADATA, HEADERS_METADATA, REDIRECT_METADATA, RENDER_METADATA, SSE_METADATA].some(
      (key) => Reflect.getMetadata(key, handler) !== undefined,
    )
  ) {
    return null;
  }
  let controller: object;
  try {
    // Throws for a request-scoped controller, which has no single instance to call.
    controller = app.get<unknown, object>(classRef, { strict: false });
  } catch {
    return null;
  }
  const declared =
    (Reflect.getMetadata(ROUTE_ARGS_METADATA, classRef, handler.name) as
      Record<string, { index: number; data?: unknown; pipes?: unknown[] }> | undefined) ?? {};
  const entries = Object.entries(declared);
  const call = (args: unknown[]): Promise<unknown> =>
    Promise.resolve((handler as (...values: unknown[]) => unknown).apply(controller, args)).then(
      (result) => (isObservable(result) ? lastValueFrom(result) : result),
    );
  if (entries.length === 0 && handler.length === 0) return () => call([]);
  const [entry] = entries;
  if (entries.length !== 1 || !entry || handler.length !== 1) return null;
  const [key, { index, data, pipes: ownPipes = [] }] = entry;
  const type = [RouteParamtypes.QUERY, RouteParamtypes.PARAM].find(
    (candidate) => key === `${String(candidate)}:${String(index)}`,
  );
  const argumentOf = type === undefined ? undefined : ARGUMENTS[type];
  if (!argumentOf || index !== 0 || data !== undefined || ownPipes.length > 0) return null;
  const [metatype] =
    (Reflect.getMetadata(PARAMTYPES_METADATA, classRef.prototype as object, handler.name) as
      Type<unknown>[] | undefined) ?? [];
  const metadata: ArgumentMetadata = {
    type: type === RouteParamtypes.QUERY ? 'query' : 'param',
    metatype,
    data: undefined,
  };
  return async (request) => {
    let value = argumentOf(request);
    for (const pipe of pipes) value = await pipe.transform(value, metadata);
    return call([value]);
  };
}

/**
 * Serves `@PublicCache()` routes without Nest's per-request pipeline, which costs more than the
 * rest of a cached request put together and about a sixth of an uncached one's own work.
 *
 * It runs as a Fastify `preHandler` hook, so every `onRequest` hook has run (security headers,
 * request id, CSRF origin check); then, as Nest would, it runs every global guard — rate limits
 * included — with the execution context Nest would give them, and a refusal goes to the global
 * exception filter that Nest would pick (one evaluation, one count, one security event). Only if
 * every guard allows does it answer: an in-process hit with the cached body; a miss through the
 * interceptor's own miss path (the Redis tier's entry, fetched while the guards run so that the
 * lookup and the rate-limit count share one round trip; else the handler, called as Nest would
 * call it — see {@link invokerOf} — then rendered and stored), its errors going to the same
 * filter. Anything else — a route not yet served through the interceptor, a route with its own
 * guards, interceptors or filters, a handler the fast path cannot call exactly as Nest —
 * continues to Nest, which handles it as usual.
 */
export function installPublicCacheFastPath(app: NestFastifyApplication): void {
  let plan: FastPathPlan | null | undefined;
  const invokers = new WeakMap<object, Invoke | null>();
  const invokerFor = (route: CacheableRoute, pipes: PipeTransform[] | null): Invoke | null => {
    if (pipes === null) return null;
    let invoke = invokers.get(route.handler);
    if (invoke === undefined) {
      invoke = invokerOf(app, route, pipes);
      invokers.set(route.handler, invoke);
    }
    return invoke;
  };
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('preHandler', (request, reply, done) => {
      if (request.method !== 'GET') {
        done();
        return;
      }
      plan ??= planOf(app);
      const found: FastPathLookup | undefined = plan?.cache.lookup(request);
      if (!plan || !found) {
        done();
        return;
      }
      const { cache, guards, filters, pipes } = plan;
      const { route, key, version, response } = found;
      let answer: () => Promise<void>;
      if (response) {
        answer = () => {
          cache.sendResponse(reply, response, true);
          return Promise.resolve();
        };
      } else {
        const invoke = invokerFor(route, pipes);
        if (!invoke) {
          done();
          return;
        }
        // Fetched while the guards count: ioredis sends the lookup and the rate-limit script in
        // one pipelined write. The entry is used only once every guard has allowed the request.
        const shared = cache.fetchShared(key, version);
        answer = async () => {
          const miss = await cache.answerMiss(key, version, () => invoke(request), shared);
          cache.sendResponse(reply, miss.response, miss.hit);
        };
      }
      const context = new FastPathContext(request, reply, route);
      activate(guards, context)
        .then(answer)
        .catch((error: unknown) => {
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
        });
    });
}
