import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CategoryTreeSchema, type CategoryTree } from '@storefront/contracts';
import { Public } from '../core/http/public.decorator';
import { PublicCache } from '../core/http/public-cache';
import { ApiErrorResponses, ApiJsonResponse } from '../openapi/api-contract.decorators';
import { CatalogueReadService } from './catalogue-read.service';

/** The category tree for navigation. */
@ApiTags('catalogue')
@Controller('categories')
@Public()
export class CategoriesController {
  constructor(@Inject(CatalogueReadService) private readonly catalogue: CatalogueReadService) {}

  @Get()
  @PublicCache()
  @ApiOperation({ summary: 'The whole category tree with product counts.' })
  @ApiJsonResponse(200, CategoryTreeSchema, 'The category tree.')
  @ApiErrorResponses(429)
  tree(): Promise<CategoryTree> {
    return this.catalogue.categoryTree();
  }
}
