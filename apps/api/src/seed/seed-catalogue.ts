import type { DataSource, EntityManager } from 'typeorm';
import { Category, Product, ProductImage, ProductVariant } from '../catalogue/entities';
import { facetsOf, generateDemoCatalogue } from './demo-catalogue';

const CHUNK = 250;

/** Options of {@link seedCatalogue}. */
export interface SeedOptions {
  productCount?: number;
  /** Replace an existing catalogue instead of refusing. */
  reset?: boolean;
  /** Progress lines (e.g. `process.stdout.write`); silent when omitted. */
  progress?: (line: string) => void;
}

/** True when the database has no products yet. */
export async function catalogueIsEmpty(dataSource: DataSource): Promise<boolean> {
  const rows = await dataSource.query<{ empty: boolean }[]>(
    'SELECT NOT EXISTS (SELECT 1 FROM product) AS empty',
  );
  return rows[0]?.empty === true;
}

async function insertChunks<T extends object>(
  manager: EntityManager,
  entity: new () => T,
  rows: Partial<T>[],
  label: string,
  progress: (line: string) => void,
): Promise<T[]> {
  const inserted: T[] = [];
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const result = await manager
      .createQueryBuilder()
      .insert()
      .into(entity)
      .values(chunk as never)
      .returning(['id'])
      .callListeners(false)
      .execute();
    chunk.forEach((row, k) =>
      inserted.push({ ...row, id: (result.identifiers[k] as { id: string }).id } as T),
    );
    progress(`  ${label}: ${Math.min(i + CHUNK, rows.length)}/${rows.length}`);
  }
  return inserted;
}

/**
 * Writes the deterministic demo catalogue in one transaction (all or nothing). Refuses to touch an
 * existing catalogue unless `reset` is set.
 */
export async function seedCatalogue(
  dataSource: DataSource,
  options: SeedOptions = {},
): Promise<{ categories: number; products: number; variants: number }> {
  const progress = options.progress ?? (() => undefined);
  const demo = generateDemoCatalogue(options.productCount);
  return dataSource.transaction(async (manager) => {
    const empty =
      (await manager.query<{ n: number }[]>('SELECT count(*)::int AS n FROM product'))[0]?.n === 0;
    if (!empty && !options.reset)
      throw new Error('The catalogue is not empty; use --reset to replace it.');
    if (options.reset) {
      await manager.query('DELETE FROM product');
      await manager.query('DELETE FROM category WHERE parent_id IS NOT NULL');
      await manager.query('DELETE FROM category');
    }

    progress(`categories: ${demo.categories.length}`);
    const categoryIds = new Map<string, string>();
    for (const category of demo.categories) {
      const parentId =
        category.parentSlug === null ? null : (categoryIds.get(category.parentSlug) ?? null);
      const [saved] = await insertChunks(
        manager,
        Category,
        [
          {
            slug: category.slug,
            name: category.name,
            description: category.description,
            path: category.path,
            position: category.position,
            parentId,
          },
        ],
        'category',
        () => undefined,
      );
      if (saved) categoryIds.set(category.slug, saved.id);
    }

    progress(`products: ${demo.products.length}`);
    const products = await insertChunks(
      manager,
      Product,
      demo.products.map((p) => {
        const prices = p.variants.map((v) => v.priceAmount);
        return {
          slug: p.slug,
          name: p.name,
          brand: p.brand,
          description: p.description,
          categoryId: categoryIds.get(p.categorySlug) ?? '',
          status: 'active' as const,
          attributes: p.attributes,
          facets: facetsOf(p),
          priceFrom: Math.min(...prices),
          priceTo: Math.max(...prices),
          currency: 'EUR' as const,
          inStock: p.variants.some((v) => v.stock > 0),
          publishedAt: p.publishedAt,
        };
      }),
      'products',
      progress,
    );

    const variants = demo.products.flatMap((p, i) =>
      p.variants.map((v, position) => ({
        productId: products[i]?.id ?? '',
        sku: v.sku,
        options: v.options,
        priceAmount: v.priceAmount,
        currency: 'EUR' as const,
        vatRateBp: v.vatRateBp,
        stock: v.stock,
        status: 'active' as const,
        position,
      })),
    );
    progress(`variants: ${variants.length}`);
    await insertChunks(manager, ProductVariant, variants, 'variants', progress);

    const images = demo.products.flatMap((p, i) =>
      p.images.map((image, position) => ({
        productId: products[i]?.id ?? '',
        url: image.url,
        alt: image.alt,
        position,
      })),
    );
    await insertChunks(manager, ProductImage, images, 'images', progress);
    return {
      categories: demo.categories.length,
      products: products.length,
      variants: variants.length,
    };
  });
}
