import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Route config flag of the routes whose exact request bytes are kept ({@link CaptureRawBody}). */
const CAPTURE_RAW_BODY = 'captureRawBody';

/**
 * Keeps the exact bytes of this route's request body (webhook signatures are computed over them),
 * while Fastify's own JSON parser still parses, limits (`BODY_LIMIT_BYTES`) and refuses non-JSON
 * bodies as on every other route. Only routes carrying this decorator are affected.
 */
export const CaptureRawBody = () => RouteConfig({ [CAPTURE_RAW_BODY]: true });

const captured = new WeakMap<IncomingMessage, Buffer[]>();

/** Passes the body through unchanged, keeping a copy of each chunk and counting received bytes. */
class RawBodyTee extends Transform {
  /** Read by Fastify's body reader to check Content-Length and the body limit. */
  receivedEncodedLength = 0;
  constructor(private readonly chunks: Buffer[]) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.receivedEncodedLength += chunk.length;
    this.chunks.push(chunk);
    done(null, chunk);
  }
}

/** The raw body of a request to a {@link CaptureRawBody} route (after Fastify parsed it). */
export function rawBodyOf(request: FastifyRequest): Buffer | undefined {
  const chunks = captured.get(request.raw);
  return chunks ? Buffer.concat(chunks) : undefined;
}

/**
 * Installs the capture: one Fastify `preParsing` hook that, for flagged routes only, puts a
 * pass-through stream between the socket and the JSON parser. Installed while the application
 * initialises (before Fastify is ready, when route hooks are assembled).
 */
@Injectable()
export class RawBodyCapture implements OnModuleInit {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter as { getInstance?: () => unknown } | undefined;
    const fastify = adapter?.getInstance?.() as FastifyInstance | undefined;
    if (!fastify?.addHook) return; // no HTTP server (a CLI command's application context)
    fastify.addHook('preParsing', (request, _reply, payload, done) => {
      const config = request.routeOptions.config as unknown as Record<string, unknown> | undefined;
      if (config?.[CAPTURE_RAW_BODY] !== true) {
        done(null, payload);
        return;
      }
      const chunks: Buffer[] = [];
      captured.set(request.raw, chunks);
      const tee = new RawBodyTee(chunks);
      payload.on('error', (error) => tee.destroy(error));
      payload.pipe(tee);
      done(null, tee);
    });
  }
}
