import { ListProductsQuerySchema, ProductSlugParamsSchema } from '@storefront/contracts';
import { zodDto } from '../core/validation/zod-dto';

/** Validated query of `GET /api/products`. */
export class ListProductsQueryDto extends zodDto(ListProductsQuerySchema) {}

/** Validated path of `GET /api/products/:slug`. */
export class ProductSlugParamsDto extends zodDto(ProductSlugParamsSchema) {}
