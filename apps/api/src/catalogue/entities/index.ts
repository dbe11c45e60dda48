import { Category } from './category.entity';
import { Product } from './product.entity';
import { ProductImage } from './product-image.entity';
import { ProductVariant } from './product-variant.entity';

export { Category, Product, ProductImage, ProductVariant };

/** Entities of the catalogue context. */
export const CATALOGUE_ENTITIES = [Category, Product, ProductVariant, ProductImage];
