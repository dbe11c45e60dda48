import { Global, Module } from '@nestjs/common';
import { CartModule } from '../cart/cart.module';
import { PAYMENT_EVENT_HANDLER } from '../payments/payment-event';
import { CheckoutController } from './checkout.controller';
import { CheckoutService } from './checkout.service';
import { OrderPaymentHandler } from './order-payment.handler';
import {
  AccountOrdersController,
  AdminOrdersController,
  GuestOrdersController,
} from './orders.controller';
import { OrderFulfilment } from './order-fulfilment.service';
import { OrderRefunds } from './order-refunds.service';
import { OrdersQuery } from './orders-query.service';
import { OrdersRepository } from './orders.repository';
import { ReservationExpirySweeper } from './reservation-expiry.sweeper';
import { StockReservationsRepository } from './stock-reservations.repository';

/**
 * Orders: checkout (`POST /api/checkout`), order history (`/api/account/orders`), the staff list
 * (`/api/admin/orders`), the order state machine, stock reservations and their
 * expiry sweeper, and the payments port: it binds `PAYMENT_EVENT_HANDLER` to
 * {@link OrderPaymentHandler} (global, so the payments module finds it).
 *
 * Wire by importing `OrdersModule` in the application module (after `PaymentsModule.forRoot`).
 * Needs the global payments, mail, encryption, identity and config modules; imports `CartModule`.
 */
@Global()
@Module({
  imports: [CartModule],
  controllers: [
    CheckoutController,
    AccountOrdersController,
    AdminOrdersController,
    GuestOrdersController,
  ],
  providers: [
    OrdersRepository,
    StockReservationsRepository,
    CheckoutService,
    OrdersQuery,
    OrderRefunds,
    OrderFulfilment,
    OrderPaymentHandler,
    ReservationExpirySweeper,
    { provide: PAYMENT_EVENT_HANDLER, useExisting: OrderPaymentHandler },
  ],
  exports: [PAYMENT_EVENT_HANDLER, OrdersRepository],
})
export class OrdersModule {}
