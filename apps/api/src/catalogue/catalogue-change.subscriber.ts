import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  DataSource,
  type EntitySubscriberInterface,
  type InsertEvent,
  type RemoveEvent,
  type TransactionCommitEvent,
  type UpdateEvent,
} from 'typeorm';
import { PublicResponseCache } from '../core/http/public-response-cache.service';
import { CATALOGUE_ENTITIES } from './entities';

const DIRTY = 'catalogueChanged' as const;
type AnyEvent = InsertEvent<unknown> | UpdateEvent<unknown> | RemoveEvent<unknown>;

/**
 * Invalidates the public catalogue cache whenever a category, product, variant or image is
 * written through TypeORM — after the transaction commits, so a reader can never re-cache the old
 * data in between.
 */
@Injectable()
export class CatalogueChangeSubscriber implements EntitySubscriberInterface, OnModuleInit {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(PublicResponseCache) private readonly cache: PublicResponseCache,
  ) {}

  onModuleInit(): void {
    this.dataSource.subscribers.push(this);
  }

  private mark(event: AnyEvent): void {
    const target = event.metadata.target;
    if (!CATALOGUE_ENTITIES.some((entity) => entity === target)) return;
    if (event.queryRunner.isTransactionActive) {
      event.queryRunner.data = { ...event.queryRunner.data, [DIRTY]: true };
    } else {
      void this.cache.invalidate();
    }
  }

  afterInsert(event: InsertEvent<unknown>): void {
    this.mark(event);
  }
  afterUpdate(event: UpdateEvent<unknown>): void {
    this.mark(event);
  }
  afterRemove(event: RemoveEvent<unknown>): void {
    this.mark(event);
  }

  async afterTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    const data = event.queryRunner.data as Record<string, unknown> | undefined;
    if (data?.[DIRTY] === true) {
      data[DIRTY] = false;
      await this.cache.invalidate();
    }
  }
}
