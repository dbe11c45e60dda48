import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  GuestOrderAccessSchema,
  ListOrdersQuerySchema,
  ListOwnOrdersQuerySchema,
  OrderIdParamsSchema,
  OrderListSchema,
  OrderSchema,
  OrderStatusChangeSchema,
  OrderStatusViewSchema,
  RefundRequestSchema,
  RefundSchema,
  type Order,
  type OrderList,
  type OrderStatusView,
  type Refund,
} from '@storefront/contracts';
import type { FastifyRequest } from 'fastify';
import { requestPrincipal } from '../core/http/principal';
import { Public, RequirePermissions } from '../core/http/public.decorator';
import { RateLimit } from '../rate-limit/rate-limit.decorators';
import { zodDto } from '../core/validation/zod-dto';
import { auditContextOf } from '../audit/audit-context';
import {
  ApiBodyFrom,
  ApiErrorResponses,
  ApiJsonResponse,
  ApiParamsFrom,
  ApiQueryFrom,
} from '../openapi/api-contract.decorators';
import { OrderFulfilment } from './order-fulfilment.service';
import { OrderRefunds } from './order-refunds.service';
import { OrdersQuery } from './orders-query.service';

class ListOwnOrdersQueryDto extends zodDto(ListOwnOrdersQuerySchema) {}
class ListOrdersQueryDto extends zodDto(ListOrdersQuerySchema) {}
class OrderIdParamsDto extends zodDto(OrderIdParamsSchema) {}
class RefundRequestDto extends zodDto(RefundRequestSchema) {}
class OrderStatusChangeDto extends zodDto(OrderStatusChangeSchema) {}
class GuestOrderAccessDto extends zodDto(GuestOrderAccessSchema) {}

/**
 * A guest's order, opened with the token of the link in the order confirmation (the page reads it
 * from the URL fragment and POSTs it, so it stays out of logs). Public, rate limited as `auth`.
 */
@ApiTags('orders')
@Controller('orders')
@Public()
export class GuestOrdersController {
  constructor(@Inject(OrdersQuery) private readonly orders: OrdersQuery) {}

  @Post('guest-access')
  @HttpCode(200)
  @RateLimit('auth')
  @ApiOperation({ summary: 'Your order, from the link in its confirmation email (guests).' })
  @ApiBodyFrom(GuestOrderAccessSchema)
  @ApiJsonResponse(200, OrderSchema, 'The order.')
  @ApiErrorResponses(400, 404, 429)
  find(@Body() body: GuestOrderAccessDto): Promise<Order> {
    return this.orders.findByGuestToken(body.token);
  }
}

/** The signed-in customer's order history: only the caller's own orders. */
@ApiTags('account')
@Controller('account/orders')
@RequirePermissions('account:own')
export class AccountOrdersController {
  constructor(@Inject(OrdersQuery) private readonly orders: OrdersQuery) {}

  @Get()
  @ApiOperation({ summary: 'Your orders, newest first.' })
  @ApiQueryFrom(ListOwnOrdersQuerySchema)
  @ApiJsonResponse(200, OrderListSchema, 'Your orders.')
  @ApiErrorResponses(400, 401, 403, 429)
  list(@Req() request: FastifyRequest, @Query() query: ListOwnOrdersQueryDto): Promise<OrderList> {
    return this.orders.listOwn(requestPrincipal(request).userId, query.limit);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One of your orders (404 for any other).' })
  @ApiParamsFrom(OrderIdParamsSchema)
  @ApiJsonResponse(200, OrderSchema, 'The order.')
  @ApiErrorResponses(400, 401, 403, 404, 429)
  find(@Req() request: FastifyRequest, @Param() params: OrderIdParamsDto): Promise<Order> {
    return this.orders.findOwn(requestPrincipal(request).userId, params.id);
  }
}

/**
 * The shop's orders for staff: the list with `orders:read` (summaries: no address, no email),
 * fulfilment moves with `orders:write`, refunds with `orders:refund`.
 */
@ApiTags('admin')
@Controller('admin/orders')
export class AdminOrdersController {
  constructor(
    @Inject(OrdersQuery) private readonly orders: OrdersQuery,
    @Inject(OrderRefunds) private readonly refunds: OrderRefunds,
    @Inject(OrderFulfilment) private readonly fulfilment: OrderFulfilment,
  ) {}

  @Get(':id')
  @RequirePermissions('orders:read')
  @ApiOperation({ summary: 'One order in full, with its shipping address (for fulfilment).' })
  @ApiParamsFrom(OrderIdParamsSchema)
  @ApiJsonResponse(200, OrderSchema, 'The order.')
  @ApiErrorResponses(400, 401, 403, 404, 429)
  find(@Param() params: OrderIdParamsDto): Promise<Order> {
    return this.orders.findAny(params.id);
  }

  @Post(':id/status')
  @HttpCode(200)
  @RequirePermissions('orders:write')
  @ApiOperation({
    summary: 'Move a paid order on (fulfilled, shipped, delivered); any other move is a 409.',
  })
  @ApiParamsFrom(OrderIdParamsSchema)
  @ApiBodyFrom(OrderStatusChangeSchema)
  @ApiJsonResponse(200, OrderStatusViewSchema, 'The order status after the change.')
  @ApiErrorResponses(400, 401, 403, 404, 409, 429)
  moveTo(
    @Req() request: FastifyRequest,
    @Param() params: OrderIdParamsDto,
    @Body() body: OrderStatusChangeDto,
  ): Promise<OrderStatusView> {
    const principal = requestPrincipal(request);
    return this.fulfilment.moveTo(
      auditContextOf(request, { type: principal.kind, id: principal.userId }),
      params.id,
      body.status,
    );
  }

  @Get()
  @RequirePermissions('orders:read')
  @ApiOperation({ summary: 'Orders, newest first, optionally of one status.' })
  @ApiQueryFrom(ListOrdersQuerySchema)
  @ApiJsonResponse(200, OrderListSchema, 'A list of orders.')
  @ApiErrorResponses(400, 401, 403, 429)
  list(@Query() query: ListOrdersQueryDto): Promise<OrderList> {
    return this.orders.listAll(query.status ?? null, query.limit);
  }

  @Post(':id/refunds')
  @HttpCode(200)
  @RequirePermissions('orders:refund')
  @ApiOperation({
    summary: 'Refund (part of) a paid order, never more than remains; one refund per refund key.',
  })
  @ApiParamsFrom(OrderIdParamsSchema)
  @ApiBodyFrom(RefundRequestSchema)
  @ApiJsonResponse(200, RefundSchema, 'The refund and the order status after it.')
  @ApiErrorResponses(400, 401, 403, 404, 409, 429, 502, 503)
  refund(
    @Req() request: FastifyRequest,
    @Param() params: OrderIdParamsDto,
    @Body() body: RefundRequestDto,
  ): Promise<Refund> {
    const principal = requestPrincipal(request);
    return this.refunds.refund(
      auditContextOf(request, { type: principal.kind, id: principal.userId }),
      principal.userId,
      params.id,
      body,
    );
  }
}
