import 'reflect-metadata';
import { Controller, Get, type CallHandler, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { firstValueFrom, of, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/app-config';
import { MemoryKeyValueStore } from '../../store/memory-key-value-store';
import { PublicCache } from './public-cache';
import { PublicCacheInterceptor } from './public-cache.interceptor';
import { Public } from './public.decorator';
import { PublicResponseCache } from './public-response-cache.service';

@Controller('private')
class PrivateController {
  @Get()
  @PublicCache()
  mine(): { secret: string } {
    return { secret: 'for one caller only' };
  }
}

@Controller('open')
@Public()
class OpenController {
  @Get()
  @PublicCache()
  listing(): { items: string[] } {
    return { items: [] };
  }
}

function contextOf(classRef: { prototype: object }, name: string): ExecutionContext {
  const handler = (classRef.prototype as Record<string, unknown>)[name];
  const reply = { header: () => reply, type: () => reply };
  const request = { method: 'GET', url: '/api/x', routeOptions: { url: '/api/x' } };
  return {
    getClass: () => classRef,
    getHandler: () => handler,
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
  } as unknown as ExecutionContext;
}

describe('PublicCacheInterceptor', () => {
  const interceptor = async () => {
    const cache = new PublicResponseCache(new MemoryKeyValueStore(), null);
    await cache.onModuleInit();
    return new PublicCacheInterceptor(new Reflector(), cache, loadConfig({ NODE_ENV: 'test' }));
  };
  const next = (body: unknown): CallHandler => ({ handle: () => of(body) });

  it('refuses to cache a route that is not @Public(): its response would reach every caller', async () => {
    const target = await interceptor();
    expect(() =>
      target.intercept(contextOf(PrivateController, 'mine'), next({ secret: 'x' })),
    ).toThrow(/@PublicCache\(\) but not @Public\(\)/);
  });

  it('caches a public route on its second miss: the third call is served from the cache', async () => {
    const target = await interceptor();
    const call = async (body: unknown) =>
      JSON.parse(
        (
          await firstValueFrom(
            target.intercept(
              contextOf(OpenController, 'listing'),
              next(body),
            ) as Observable<Buffer>,
          )
        ).toString(),
      ) as unknown;
    expect(await call({ items: ['a'] })).toEqual({ items: ['a'] });
    expect(await call({ items: ['b'] })).toEqual({ items: ['b'] });
    expect(await call({ items: ['c'] })).toEqual({ items: ['b'] });
  });
});
