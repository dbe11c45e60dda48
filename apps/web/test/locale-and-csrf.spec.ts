import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { negotiateLocale, switchLocalePath } from '../app/i18n/locale';
import {
  RECORDED,
  startRecordedCatalogueApi,
  type RecordedCatalogueApi,
} from './support/recorded-catalogue-api';
import { SHOP_ORIGIN, startWebServer, type RunningWebServer } from './support/web-server';

let api: RecordedCatalogueApi;
let web: RunningWebServer;

beforeAll(async () => {
  api = await startRecordedCatalogueApi();
  web = await startWebServer(api.url);
});

afterAll(async () => {
  await web.stop();
  await api.close();
});

const get = (path: string, init?: RequestInit) =>
  fetch(`${web.url}${path}`, { redirect: 'manual', ...init });

describe('languages', () => {
  it.each([
    [undefined, 'en'],
    ['fr-FR,fr;q=0.9,en;q=0.8', 'fr'],
    ['de-DE, fr-CA;q=0.5, en;q=0.4', 'fr'],
    ['en;q=0.2, fr;q=0.9', 'fr'],
    ['fr;q=0, en', 'en'],
    ['de, it', 'en'],
    ['fr;q=abc', 'fr'],
    ['*', 'en'],
  ])('Accept-Language %s → %s', (header, expected) => {
    expect(negotiateLocale(header)).toBe(expected);
  });

  it('switching keeps the page and its query', () => {
    expect(switchLocalePath('/en/c/shoes?sort=newest', 'fr')).toBe('/fr/c/shoes?sort=newest');
    expect(switchLocalePath('/fr', 'en')).toBe('/en');
    expect(switchLocalePath('/english-page', 'fr')).toBe('/fr/english-page');
  });

  it('/ redirects to the browser language, says the answer varies with it and is not stored', async () => {
    const response = await get('/', { headers: { 'accept-language': 'fr-BE,fr;q=0.9' } });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/fr');
    expect(response.headers.get('vary')).toMatch(/accept-language/i);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect((await get('/')).headers.get('location')).toBe('/en');
  });

  it('a French page is in French: lang, texts, links, euro formatting, a link to the English page', async () => {
    const response = await get(`/fr/p/${RECORDED.product.slug}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('TVA incluse');
    expect(html).toContain('href="/fr"');
    expect(html).not.toContain('VAT included');
    // fr-FR puts the euro sign after the amount, with a comma as the decimal separator.
    expect(html).toMatch(/\d+,\d{2}\s€/);
    expect(html).toContain(`href="/en/p/${RECORDED.product.slug}"`);
  });

  it('an unsupported language is a 404 in the shop look', async () => {
    const response = await get('/de');
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('Page not found');
  });
});

describe('cross-site form posts are refused before any action runs (CSRF, ASVS 3.5.1)', () => {
  const post = (headers: Record<string, string>) =>
    get('/en', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: 'q=1',
    });

  it('a post the browser marks cross-site is 403', async () => {
    const response = await post({ 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' });
    expect(response.status).toBe(403);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('a post from a foreign Origin is 403 even without Sec-Fetch-Site', async () => {
    expect((await post({ origin: 'https://evil.example' })).status).toBe(403);
    expect((await post({ 'sec-fetch-site': 'same-site' })).status).toBe(403);
  });

  it("a post from the shop's own origin passes the gate (this page has no action: 405)", async () => {
    const response = await post({ 'sec-fetch-site': 'same-origin', origin: SHOP_ORIGIN });
    expect(response.status).toBe(405);
  });
});
