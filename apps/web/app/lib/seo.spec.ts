import { describe, expect, it } from 'vitest';
import { isMediaUrl, languageAlternates, mediaUrl, metaDescription, seoMeta } from './seo';
import { resolvePublicBaseUrl } from './seo.server';

const ORIGIN = 'https://shop.example';

describe('public origin (PUBLIC_BASE_URL)', () => {
  it('prefers PUBLIC_BASE_URL, then the first of PUBLIC_ORIGINS, then the local default', () => {
    expect(
      resolvePublicBaseUrl({
        PUBLIC_BASE_URL: 'https://www.shop.example/',
        PUBLIC_ORIGINS: 'https://other.example',
      }),
    ).toBe('https://www.shop.example');
    expect(
      resolvePublicBaseUrl({ PUBLIC_ORIGINS: ' https://shop.example , https://b.example' }),
    ).toBe('https://shop.example');
    expect(resolvePublicBaseUrl({ PORT: '3100' })).toBe('http://127.0.0.1:3100');
    expect(resolvePublicBaseUrl({})).toBe('http://127.0.0.1:3000');
  });

  it.each([
    [{ PUBLIC_BASE_URL: 'shop.example' }, /^PUBLIC_BASE_URL: must be the shop's public URL/],
    [{ PUBLIC_BASE_URL: 'javascript:alert(1)' }, /^PUBLIC_BASE_URL: must be an http\(s\) origin/],
    [{ PUBLIC_BASE_URL: 'https://shop.example/shop' }, /^PUBLIC_BASE_URL: must be an http/],
    [{ PUBLIC_BASE_URL: 'https://shop.example/?a=1' }, /^PUBLIC_BASE_URL: must be an http/],
    [{ PUBLIC_BASE_URL: 'https://user:pw@shop.example' }, /^PUBLIC_BASE_URL: must be an http/],
    [
      { PUBLIC_BASE_URL: 'http://shop.example', NODE_ENV: 'production' },
      /^PUBLIC_BASE_URL: must be https in production/,
    ],
    [
      { PUBLIC_ORIGINS: 'http://shop.example', NODE_ENV: 'production' },
      /^PUBLIC_ORIGINS: must be https in production/,
    ],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(() => resolvePublicBaseUrl(env)).toThrow(message);
  });

  it('allows plain http in production only on a loopback host (local runs of the build)', () => {
    expect(
      resolvePublicBaseUrl({ PUBLIC_ORIGINS: 'http://localhost:4318', NODE_ENV: 'production' }),
    ).toBe('http://localhost:4318');
  });
});

describe('seoMeta', () => {
  const attributes = (meta: ReturnType<typeof seoMeta>) =>
    meta as Record<string, string | undefined>[];

  it('gives a product page its canonical URL, every language, x-default and Open Graph', () => {
    const meta = attributes(
      seoMeta({
        origin: ORIGIN,
        lang: 'fr',
        path: '/p/a-dress',
        title: 'A dress',
        description: 'Nice.',
        type: 'product',
        image: `${ORIGIN}/media/demo/a.svg`,
      }),
    );
    const links = meta.filter((m) => m.tagName === 'link');
    expect(links).toEqual([
      { tagName: 'link', rel: 'canonical', href: `${ORIGIN}/fr/p/a-dress` },
      { tagName: 'link', rel: 'alternate', hrefLang: 'en', href: `${ORIGIN}/en/p/a-dress` },
      { tagName: 'link', rel: 'alternate', hrefLang: 'fr', href: `${ORIGIN}/fr/p/a-dress` },
      { tagName: 'link', rel: 'alternate', hrefLang: 'x-default', href: `${ORIGIN}/en/p/a-dress` },
    ]);
    const og = Object.fromEntries(
      meta.filter((m) => m.property).map((m) => [m.property, m.content]),
    );
    expect(og).toMatchObject({
      'og:type': 'product',
      'og:title': 'A dress',
      'og:url': `${ORIGIN}/fr/p/a-dress`,
      'og:image': `${ORIGIN}/media/demo/a.svg`,
      'og:locale': 'fr_FR',
      'og:locale:alternate': 'en_IE',
    });
  });

  it('points x-default of the home page at the language-negotiating root', () => {
    expect(languageAlternates(ORIGIN, '/').at(-1)).toEqual({
      hrefLang: 'x-default',
      href: `${ORIGIN}/`,
    });
  });

  it('marks noindex pages and gives them no canonical or alternates', () => {
    const meta = attributes(
      seoMeta({
        origin: ORIGIN,
        lang: 'en',
        path: '/search',
        title: 'S',
        description: 'D',
        noindex: true,
      }),
    );
    expect(meta).toContainEqual({ name: 'robots', content: 'noindex, follow' });
    expect(meta.some((m) => m.tagName === 'link')).toBe(false);
    expect(meta.some((m) => m.property === 'og:image')).toBe(false);
  });

  it('keeps descriptions within 160 characters, cut at a word', () => {
    const long = 'word '.repeat(60);
    const cut = metaDescription(long);
    expect(cut.length).toBeLessThanOrEqual(160);
    expect(cut).toMatch(/word…$/);
    expect(metaDescription('  short\n text ')).toBe('short text');
  });
});

describe('catalogue image URLs', () => {
  it.each([
    ['/media/demo/a.svg', `${ORIGIN}/media/demo/a.svg`],
    ['https://cdn.example/a.jpg', 'https://cdn.example/a.jpg'],
    ['javascript:alert(1)', null],
    ['data:image/svg+xml,<svg onload=alert(1)>', null],
    ['//evil.example/a.jpg', null],
    ['/\\evil.example/a.jpg', null],
    ['http://cdn.example/a.jpg', null],
  ])('%s → %s', (url, expected) => {
    expect(mediaUrl(ORIGIN, url)).toBe(expected);
    expect(isMediaUrl(url)).toBe(expected !== null);
  });
});
