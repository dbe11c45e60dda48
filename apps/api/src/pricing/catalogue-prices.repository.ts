import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/** What pricing reads about a variant: its current price, VAT rate, stock and publication. */
export interface VariantPrice {
  variantId: string;
  sku: string;
  options: Record<string, string>;
  productSlug: string;
  productName: string;
  /** VAT-inclusive unit price, minor units. */
  unitPrice: number;
  currency: string;
  vatRateBasisPoints: number;
  stock: number;
  /** The variant and its product are both active. */
  active: boolean;
}

/** A shipping method as pricing needs it. */
export interface ShippingMethodPrice {
  code: string;
  name: string;
  /** VAT-inclusive fee, minor units. */
  fee: number;
  vatRateBasisPoints: number;
}

interface VariantRow {
  id: string;
  sku: string;
  options: Record<string, string>;
  slug: string;
  name: string;
  price_amount: number;
  currency: string;
  vat_rate_bp: number;
  stock: number;
  active: boolean;
}

/**
 * Reads prices for the pricing engine: variants (with their product) and shipping methods, from
 * the database at the moment of pricing. Nothing a client sends is ever used as a price.
 */
@Injectable()
export class CataloguePricesRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /** The variants with these ids that still exist, keyed by id. */
  async variants(
    ids: readonly string[],
    manager?: EntityManager,
  ): Promise<Map<string, VariantPrice>> {
    if (ids.length === 0) return new Map();
    const rows = await (manager ?? this.dataSource.manager).query<VariantRow[]>(
      `SELECT v.id, v.sku, v.options, p.slug, p.name, v.price_amount, v.currency, v.vat_rate_bp,
              v.stock, (v.status = 'active' AND p.status = 'active') AS active
         FROM product_variant v JOIN product p ON p.id = v.product_id
        WHERE v.id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(
      rows.map((r) => [
        r.id,
        {
          variantId: r.id,
          sku: r.sku,
          options: r.options,
          productSlug: r.slug,
          productName: r.name,
          unitPrice: r.price_amount,
          currency: r.currency,
          vatRateBasisPoints: r.vat_rate_bp,
          stock: r.stock,
          active: r.active,
        },
      ]),
    );
  }

  /** The shipping methods that can be chosen now, in display order. */
  async activeShippingMethods(manager?: EntityManager): Promise<ShippingMethodPrice[]> {
    const rows = await (manager ?? this.dataSource.manager).query<
      { code: string; name: string; fee_amount: number; vat_rate_bp: number }[]
    >(
      `SELECT code, name, fee_amount, vat_rate_bp FROM shipping_methods
        WHERE active AND currency = 'EUR' ORDER BY position, code`,
    );
    return rows.map((r) => ({
      code: r.code,
      name: r.name,
      fee: r.fee_amount,
      vatRateBasisPoints: r.vat_rate_bp,
    }));
  }
}
