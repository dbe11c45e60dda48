import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CartsRepository } from './carts.repository';

/** How often the API looks for abandoned guest carts (cheap: a partial index on `updated_at`). */
export const GUEST_CART_PURGE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Deletes guest carts untouched for `CART_GUEST_RETENTION_DAYS` (default 30), hourly, in the API
 * process. Their sessions ended long before (a session lives at most
 * `SESSION_ABSOLUTE_TIMEOUT_SECONDS`), so nobody can reach them again: keeping them would only grow
 * the table and keep shopping behaviour longer than needed (storage limitation, GDPR art. 5(1)(e)).
 * Orders keep their own copy of what was bought, so no order depends on a cart row. Several
 * instances may purge at once: the `DELETE` is idempotent.
 */
@Injectable()
export class GuestCartPurger implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Cart');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CartsRepository) private readonly carts: CartsRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.purge()
        .catch((error: unknown) => {
          this.logger.warn(`guest cart purge failed: ${(error as Error).name}`);
        })
        .finally(() => {
          this.running = undefined;
        });
    }, GUEST_CART_PURGE_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One pass (exposed for tests); returns how many carts were deleted. */
  async purge(): Promise<number> {
    const purged = await this.carts.purgeAbandonedGuestCarts(this.config.cart.guestRetentionDays);
    if (purged > 0) this.logger.log(`purged ${String(purged)} abandoned guest carts`);
    return purged;
  }
}
