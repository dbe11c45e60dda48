import { Module } from '@nestjs/common';
import { CatalogueChangeSubscriber } from './catalogue-change.subscriber';
import { CatalogueReadService } from './catalogue-read.service';
import { CategoriesController } from './categories.controller';
import { ProductListingRepository } from './product-listing.repository';
import { ProductsController } from './products.controller';

/** The catalogue bounded context (read side for now; the back office adds the write side). */
@Module({
  controllers: [ProductsController, CategoriesController],
  providers: [CatalogueReadService, ProductListingRepository, CatalogueChangeSubscriber],
})
export class CatalogueModule {}
