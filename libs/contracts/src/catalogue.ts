import { z } from 'zod';
import { MoneySchema } from './money';
import { SlugSchema, boolParam, intParam, repeatedParam } from './query-params';

/** The sort orders a product listing accepts: an allowlist, never a column name from the client. */
export const PRODUCT_SORTS = [
  'relevance',
  'newest',
  'price_asc',
  'price_desc',
  'name_asc',
] as const;
/** One of {@link PRODUCT_SORTS}. */
export type ProductSort = (typeof PRODUCT_SORTS)[number];

/** Largest price filter accepted, in minor units (€1,000,000.00). */
export const MAX_PRICE_FILTER = 100_000_000;
/** Page size bounds of product listings. */
export const PAGE_SIZE = { default: 24, max: 100 } as const;

/** A facet filter `key:value`, e.g. `colour:Navy`. Repeat the parameter to combine filters. */
export const FacetFilterSchema = z
  .string()
  .max(100)
  .regex(/^[a-z][a-z0-9_]{0,31}:[^\p{Cc}:]{1,64}$/u, 'must look like key:value')
  .transform((raw) => {
    const at = raw.indexOf(':');
    return { key: raw.slice(0, at), value: raw.slice(at + 1) };
  });

/** Query of `GET /api/products`. Unknown parameters are rejected. */
export const ListProductsQuerySchema = z
  .strictObject({
    q: z.string().trim().min(1).max(100).optional().describe('Full-text search terms.'),
    category: SlugSchema.optional().describe('Category slug; includes its sub-categories.'),
    facet: repeatedParam(FacetFilterSchema, 10)
      .optional()
      .describe('Facet filters `key:value`; values of one key are ORed, keys are ANDed.'),
    minPrice: intParam(0, MAX_PRICE_FILTER).optional().describe('Minimum price, minor units.'),
    maxPrice: intParam(0, MAX_PRICE_FILTER).optional().describe('Maximum price, minor units.'),
    inStock: boolParam.optional().describe('Only products with at least one variant in stock.'),
    sort: z
      .enum(PRODUCT_SORTS)
      .optional()
      .describe('Default: `relevance` with `q`, else `newest`.'),
    cursor: z
      .string()
      .max(512)
      .regex(/^[A-Za-z0-9_-]+$/, 'must be an opaque cursor from a previous page')
      .optional(),
    limit: intParam(1, PAGE_SIZE.max).optional(),
  })
  .refine((q) => q.sort !== 'relevance' || q.q !== undefined, {
    message: 'sort=relevance needs a search query q',
    path: ['sort'],
  })
  .refine((q) => q.minPrice === undefined || q.maxPrice === undefined || q.minPrice <= q.maxPrice, {
    message: 'minPrice must not exceed maxPrice',
    path: ['minPrice'],
  });
/** Parsed listing query. */
export type ListProductsQuery = z.output<typeof ListProductsQuerySchema>;

/** An image of a product. URLs are absolute paths or https URLs. */
export const ProductImageSchema = z.strictObject({
  url: z.string(),
  alt: z.string(),
});

/** Whether a variant (or product) can be bought; exact stock counts are not disclosed. */
export const STOCK_STATUSES = ['in_stock', 'low_stock', 'out_of_stock'] as const;

/** A product as shown in listings. */
export const ProductSummarySchema = z.strictObject({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  brand: z.string(),
  categorySlug: z.string(),
  priceFrom: MoneySchema,
  priceTo: MoneySchema,
  inStock: z.boolean(),
  image: ProductImageSchema.nullable(),
});
/** Listing item as TypeScript. */
export type ProductSummary = z.infer<typeof ProductSummarySchema>;

/**
 * Count of matching products per value of one facet key (most frequent first, at most 50). Counts
 * are disjunctive: a key's counts apply every filter except that key's own facet filter.
 */
export const FacetCountSchema = z.strictObject({
  key: z.string(),
  values: z.array(z.strictObject({ value: z.string(), count: z.number().int().nonnegative() })),
});

/** Response of `GET /api/products`. */
export const ProductListSchema = z.strictObject({
  items: z.array(ProductSummarySchema),
  total: z.number().int().nonnegative().describe('Products matching the filters, all pages.'),
  nextCursor: z
    .string()
    .nullable()
    .describe('Pass as `cursor` for the next page; null at the end.'),
  sort: z.enum(PRODUCT_SORTS),
  facets: z
    .array(FacetCountSchema)
    .describe(
      "Facet value counts, disjunctive: a key's counts apply every filter but that key's own, " +
        'so after choosing colour:Red the other colours still show how many products they have.',
    ),
});
/** Listing response as TypeScript. */
export type ProductList = z.infer<typeof ProductListSchema>;

/** A purchasable variant of a product (one SKU). */
export const ProductVariantSchema = z.strictObject({
  id: z.uuid(),
  sku: z.string(),
  options: z.record(z.string(), z.string()).describe('Option name → value, e.g. size → M.'),
  price: MoneySchema.describe('VAT-inclusive unit price.'),
  vatRateBasisPoints: z.number().int().min(0).max(10_000).describe('2000 = 20 % VAT.'),
  stockStatus: z.enum(STOCK_STATUSES),
});

/** A category in a breadcrumb trail. */
export const CategoryRefSchema = z.strictObject({ slug: z.string(), name: z.string() });

/** Response of `GET /api/products/:slug`. */
export const ProductDetailSchema = z.strictObject({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  brand: z.string(),
  description: z.string(),
  attributes: z.record(z.string(), z.string()),
  breadcrumb: z.array(CategoryRefSchema).describe('From the top-level category down.'),
  images: z.array(ProductImageSchema),
  options: z
    .array(z.strictObject({ name: z.string(), values: z.array(z.string()) }))
    .describe('Option names and their values across variants, for a variant picker.'),
  variants: z.array(ProductVariantSchema),
  priceFrom: MoneySchema,
  priceTo: MoneySchema,
  inStock: z.boolean(),
});
/** Product detail as TypeScript. */
export type ProductDetail = z.infer<typeof ProductDetailSchema>;

/** Path parameters of `GET /api/products/:slug`. */
export const ProductSlugParamsSchema = z.strictObject({ slug: SlugSchema });

/** A node of the category tree. */
export interface CategoryNode {
  id: string;
  slug: string;
  name: string;
  description: string;
  productCount: number;
  children: CategoryNode[];
}

/** A node of the category tree, recursively. */
export const CategoryNodeSchema: z.ZodType<CategoryNode> = z.strictObject({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  productCount: z.number().int().nonnegative().describe('Active products here and below.'),
  get children() {
    return z.array(CategoryNodeSchema);
  },
});

/** Response of `GET /api/categories`. */
export const CategoryTreeSchema = z.strictObject({ items: z.array(CategoryNodeSchema) });
/** Category tree as TypeScript. */
export type CategoryTree = z.infer<typeof CategoryTreeSchema>;
