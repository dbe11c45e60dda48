import { Controller, Get, Inject, Param, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ListOrdersQuerySchema,
  ListOwnOrdersQuerySchema,
  OrderIdParamsSchema,
  OrderListSchema,
  OrderSchema,
  type Order,
  type OrderList,
} from '@storefront/contracts';
import type { FastifyRequest } from 'fastify';
import { requestPrincipal } from '../core/http/principal';
import { RequirePermissions } from '../core/http/public.decorator';
import { zodDto } from '../core/validation/zod-dto';
import {
  ApiErrorResponses,
  ApiJsonResponse,
  ApiParamsFrom,
  ApiQueryFrom,
} from '../openapi/api-contract.decorators';
import { OrdersQuery } from './orders-query.service';

class ListOwnOrdersQueryDto extends zodDto(ListOwnOrdersQuerySchema) {}
class ListOrdersQueryDto extends zodDto(ListOrdersQuerySchema) {}
class OrderIdParamsDto extends zodDto(OrderIdParamsSchema) {}

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

/** The shop's orders for staff with `orders:read` (summaries: no address, no email). */
@ApiTags('admin')
@Controller('admin/orders')
@RequirePermissions('orders:read')
export class AdminOrdersController {
  constructor(@Inject(OrdersQuery) private readonly orders: OrdersQuery) {}

  @Get()
  @ApiOperation({ summary: 'Orders, newest first, optionally of one status.' })
  @ApiQueryFrom(ListOrdersQuerySchema)
  @ApiJsonResponse(200, OrderListSchema, 'A list of orders.')
  @ApiErrorResponses(400, 401, 403, 429)
  list(@Query() query: ListOrdersQueryDto): Promise<OrderList> {
    return this.orders.listAll(query.status ?? null, query.limit);
  }
}
