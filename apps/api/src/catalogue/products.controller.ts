import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ListProductsQuerySchema,
  ProductDetailSchema,
  ProductListSchema,
  ProductSlugParamsSchema,
  type ProductDetail,
  type ProductList,
} from '@storefront/contracts';
import { Public } from '../core/http/public.decorator';
import { PublicCache } from '../core/http/public-cache';
import {
  ApiErrorResponses,
  ApiJsonResponse,
  ApiParamsFrom,
  ApiQueryFrom,
} from '../openapi/api-contract.decorators';
import { RateLimit } from '../rate-limit/rate-limit.decorators';
import { CatalogueReadService } from './catalogue-read.service';
import { ListProductsQueryDto, ProductSlugParamsDto } from './dto';

/** Product listing, search and detail for the storefront. */
@ApiTags('catalogue')
@Controller('products')
@Public()
export class ProductsController {
  constructor(@Inject(CatalogueReadService) private readonly catalogue: CatalogueReadService) {}

  @Get()
  @PublicCache()
  @RateLimit('search', {
    when: (request) => typeof (request.query as Record<string, unknown>).q === 'string',
  })
  @ApiOperation({ summary: 'List, filter and search products (keyset pagination, facet counts).' })
  @ApiQueryFrom(ListProductsQuerySchema)
  @ApiJsonResponse(200, ProductListSchema, 'A page of products.')
  @ApiErrorResponses(400, 429)
  list(@Query() query: ListProductsQueryDto): Promise<ProductList> {
    return this.catalogue.listProducts(query);
  }

  @Get(':slug')
  @PublicCache()
  @ApiOperation({ summary: 'A product with its variants, images and breadcrumb.' })
  @ApiParamsFrom(ProductSlugParamsSchema)
  @ApiJsonResponse(200, ProductDetailSchema, 'The product.')
  @ApiErrorResponses(400, 404, 429)
  detail(@Param() params: ProductSlugParamsDto): Promise<ProductDetail> {
    return this.catalogue.productBySlug(params.slug);
  }
}
