import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEMO_MEDIA_PATH, facetsOf, generateDemoCatalogue } from './demo-catalogue';

describe('demo catalogue', () => {
  const catalogue = generateDemoCatalogue();

  it('is deterministic', () => {
    expect(generateDemoCatalogue()).toEqual(catalogue);
  });

  it('has at least 2,000 products over at least 20 categories', () => {
    expect(catalogue.products.length).toBeGreaterThanOrEqual(2_000);
    expect(catalogue.categories.length).toBeGreaterThanOrEqual(20);
    const used = new Set(catalogue.products.map((p) => p.categorySlug));
    expect(used.size).toBeGreaterThanOrEqual(20);
  });

  it('has unique slugs and SKUs', () => {
    const slugs = catalogue.products.map((p) => p.slug);
    expect(new Set(slugs).size).toBe(slugs.length);
    const skus = catalogue.products.flatMap((p) => p.variants.map((v) => v.sku));
    expect(new Set(skus).size).toBe(skus.length);
    for (const slug of slugs) expect(slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('prices every variant in positive integer cents with a valid VAT rate and non-negative stock', () => {
    for (const product of catalogue.products) {
      expect(product.variants.length).toBeGreaterThan(0);
      for (const v of product.variants) {
        expect(Number.isSafeInteger(v.priceAmount)).toBe(true);
        expect(v.priceAmount).toBeGreaterThan(0);
        expect([550, 2000]).toContain(v.vatRateBp);
        expect(Number.isSafeInteger(v.stock)).toBe(true);
        expect(v.stock).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('derives facets that cover every option value of the variants', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: catalogue.products.length - 1 }), (index) => {
        const product = catalogue.products[index]!;
        const facets = facetsOf(product);
        for (const variant of product.variants) {
          for (const [name, value] of Object.entries(variant.options))
            expect(facets[name]).toContain(value);
        }
        expect(facets.brand).toEqual([product.brand]);
      }),
    );
  });

  it('gives any product count deterministically', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), (count) => {
        const small = generateDemoCatalogue(count);
        expect(small.products).toHaveLength(count);
      }),
      { numRuns: 10 },
    );
  });

  it('points every product image at a picture the web app ships, with an alt text', () => {
    const publicDir = new URL('../../../web/public', import.meta.url);
    const urls = new Set(catalogue.products.flatMap((p) => p.images.map((i) => i.url)));
    for (const url of urls) {
      expect(url.startsWith(`${DEMO_MEDIA_PATH}/`)).toBe(true);
      expect(existsSync(new URL(`.${url}`, `${publicDir.href}/`)), url).toBe(true);
    }
    for (const product of catalogue.products) {
      expect(product.images.length).toBeGreaterThan(0);
      for (const image of product.images) expect(image.alt).toContain(product.name);
    }
  });
});
