import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { mayCompressPage, negotiateEncoding, pageCompressor } from './compression.server';
import { HTML_CACHE } from './security-headers.server';

describe('negotiateEncoding', () => {
  it.each([
    ['gzip, deflate, br, zstd', 'br'],
    ['br', 'br'],
    ['BR;q=0.5, gzip;q=1', 'br'],
    ['gzip', 'gzip'],
    ['gzip, br;q=0', 'gzip'],
    ['gzip, br; q=0.000', 'gzip'],
    ['br;q=0, gzip;q=0', undefined],
    ['deflate, identity', undefined],
    ['*', undefined],
    ['', undefined],
    [null, undefined],
    [undefined, undefined],
  ])('%j → %s', (header, expected) => {
    expect(negotiateEncoding(header)).toBe(expected);
  });
});

describe('mayCompressPage', () => {
  it('allows public pages only: anything personal, undeclared or an error is sent as it is', () => {
    expect(mayCompressPage(new Headers({ 'Cache-Control': HTML_CACHE.publicPage }))).toBe(true);
    expect(mayCompressPage(new Headers({ 'Cache-Control': HTML_CACHE.default }))).toBe(false);
    expect(mayCompressPage(new Headers({ 'Cache-Control': 'private' }))).toBe(false);
    expect(mayCompressPage(new Headers())).toBe(false);
  });
});

describe('pageCompressor', () => {
  it.each(['br', 'gzip'] as const)('%s round-trips a page', async (encoding) => {
    const page = `<!DOCTYPE html><p>${'Storefront '.repeat(500)}</p>`;
    const stream = pageCompressor(encoding);
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    const done = new Promise((resolve) => stream.on('end', resolve));
    stream.end(page);
    await done;
    const packed = Buffer.concat(chunks);
    expect(packed.length).toBeLessThan(page.length / 10);
    const unpacked = encoding === 'br' ? brotliDecompressSync(packed) : gunzipSync(packed);
    expect(unpacked.toString('utf8')).toBe(page);
  });
});
