import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  PAGE_SIZE,
  type CategoryNode,
  type CategoryTree,
  type ListProductsQuery,
  type ProductDetail,
  type ProductList,
  type ProductSort,
} from '@storefront/contracts';
import { DomainError } from '../core/errors/domain-error';
import { decodeCursor, encodeCursor } from './product-cursor';
import { ProductListingRepository } from './product-listing.repository';

/** At or below this many units a variant shows as `low_stock`. */
export const LOW_STOCK_THRESHOLD = 5;

/** Facet values returned per facet key, most frequent first. */
const MAX_FACET_VALUES = 50;

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const eur = (amount: number) => ({ amount, currency: 'EUR' as const });

/**
 * The storefront's read use cases of the catalogue: listing with search and facets, product
 * detail, category tree. Results are shaped to the shared contracts field by field.
 */
@Injectable()
export class CatalogueReadService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ProductListingRepository) private readonly listing: ProductListingRepository,
  ) {}

  async listProducts(query: ListProductsQuery): Promise<ProductList> {
    const sort: ProductSort = query.sort ?? (query.q !== undefined ? 'relevance' : 'newest');
    const limit = query.limit ?? PAGE_SIZE.default;
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, sort);
    const filter = {
      q: query.q,
      categorySlug: query.category,
      facets: query.facet ?? [],
      minPrice: query.minPrice,
      maxPrice: query.maxPrice,
      inStock: query.inStock,
    };
    const [rows, { total, facets: facetRows }] = await Promise.all([
      this.listing.page(filter, sort, limit, after),
      this.listing.summary(filter),
    ]);
    const pageRows = rows.slice(0, limit);
    const last = pageRows.at(-1);
    const nextCursor =
      rows.length > limit && last
        ? encodeCursor({
            sort,
            value: sort.startsWith('price') ? Number(last.sort_key) : String(last.sort_key),
            id: last.id,
          })
        : null;

    // Keys in name order; each key's values most frequent first, then by name.
    facetRows.sort((a, b) =>
      a.key !== b.key
        ? compareText(a.key, b.key)
        : b.count - a.count || compareText(a.value, b.value),
    );
    const facets = new Map<string, { value: string; count: number }[]>();
    for (const row of facetRows) {
      const values = facets.get(row.key) ?? [];
      if (values.length < MAX_FACET_VALUES) values.push({ value: row.value, count: row.count });
      facets.set(row.key, values);
    }
    return {
      items: pageRows.map((row) => ({
        id: row.id,
        slug: row.slug,
        name: row.name,
        brand: row.brand,
        categorySlug: row.category_slug,
        priceFrom: eur(row.price_from),
        priceTo: eur(row.price_to),
        inStock: row.in_stock,
        image: row.image_url === null ? null : { url: row.image_url, alt: row.image_alt ?? '' },
      })),
      total,
      nextCursor,
      sort,
      facets: [...facets].map(([key, values]) => ({ key, values })),
    };
  }

  async productBySlug(slug: string): Promise<ProductDetail> {
    const [product] = await this.dataSource.query<
      {
        id: string;
        slug: string;
        name: string;
        brand: string;
        description: string;
        attributes: Record<string, string>;
        category_path: string;
        price_from: number;
        price_to: number;
        in_stock: boolean;
      }[]
    >(
      `SELECT p.id, p.slug, p.name, p.brand, p.description, p.attributes, c.path AS category_path,
              p.price_from, p.price_to, p.in_stock
         FROM product p JOIN category c ON c.id = p.category_id
        WHERE p.slug = $1 AND p.status = 'active'`,
      [slug],
    );
    if (!product) throw new DomainError('PRODUCT_NOT_FOUND');

    const [variants, images, breadcrumb] = await Promise.all([
      this.dataSource.query<
        {
          id: string;
          sku: string;
          options: Record<string, string>;
          price_amount: number;
          vat_rate_bp: number;
          stock: number;
        }[]
      >(
        `SELECT id, sku, options, price_amount, vat_rate_bp, stock FROM product_variant
          WHERE product_id = $1 AND status = 'active' ORDER BY position, sku`,
        [product.id],
      ),
      this.dataSource.query<{ url: string; alt: string }[]>(
        `SELECT url, alt FROM product_image WHERE product_id = $1 ORDER BY position`,
        [product.id],
      ),
      this.dataSource.query<{ slug: string; name: string }[]>(
        `SELECT slug, name FROM category WHERE starts_with($1, path) ORDER BY length(path)`,
        [product.category_path],
      ),
    ]);

    const options = new Map<string, string[]>();
    for (const variant of variants) {
      for (const [name, value] of Object.entries(variant.options)) {
        const values = options.get(name) ?? [];
        if (!values.includes(value)) values.push(value);
        options.set(name, values);
      }
    }
    return {
      id: product.id,
      slug: product.slug,
      name: product.name,
      brand: product.brand,
      description: product.description,
      attributes: product.attributes,
      breadcrumb: breadcrumb.map((c) => ({ slug: c.slug, name: c.name })),
      images: images.map((i) => ({ url: i.url, alt: i.alt })),
      options: [...options].map(([name, values]) => ({ name, values })),
      variants: variants.map((v) => ({
        id: v.id,
        sku: v.sku,
        options: v.options,
        price: eur(v.price_amount),
        vatRateBasisPoints: v.vat_rate_bp,
        stockStatus:
          v.stock <= 0 ? 'out_of_stock' : v.stock <= LOW_STOCK_THRESHOLD ? 'low_stock' : 'in_stock',
      })),
      priceFrom: eur(product.price_from),
      priceTo: eur(product.price_to),
      inStock: product.in_stock,
    };
  }

  async categoryTree(): Promise<CategoryTree> {
    const rows = await this.dataSource.query<
      {
        id: string;
        parent_id: string | null;
        slug: string;
        name: string;
        description: string;
        product_count: number;
      }[]
    >(
      `SELECT c.id, c.parent_id, c.slug, c.name, c.description,
              (SELECT coalesce(sum(s.product_count), 0)::int
                 FROM product_facet_count s JOIN category d ON d.id = s.category_id
                WHERE s.token = '' AND starts_with(d.path, c.path)) AS product_count
         FROM category c ORDER BY c.position, c.name`,
    );
    const nodes = new Map<string, CategoryNode>();
    for (const row of rows) {
      nodes.set(row.id, {
        id: row.id,
        slug: row.slug,
        name: row.name,
        description: row.description,
        productCount: row.product_count,
        children: [],
      });
    }
    const roots: CategoryNode[] = [];
    for (const row of rows) {
      const node = nodes.get(row.id);
      if (!node) continue;
      const parent = row.parent_id === null ? undefined : nodes.get(row.parent_id);
      (parent ? parent.children : roots).push(node);
    }
    return { items: roots };
  }
}
