import { Body, Controller, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CheckoutOrderSchema,
  CheckoutRequestSchema,
  CheckoutResponseSchema,
  OrderIdParamsSchema,
  type CheckoutOrder,
  type CheckoutResponse,
} from '@storefront/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CartCallers } from '../cart/cart-caller';
import { Public } from '../core/http/public.decorator';
import { zodDto } from '../core/validation/zod-dto';
import {
  ApiBodyFrom,
  ApiErrorResponses,
  ApiJsonResponse,
  ApiParamsFrom,
} from '../openapi/api-contract.decorators';
import { RateLimit } from '../rate-limit/rate-limit.decorators';
import { CheckoutService } from './checkout.service';

class CheckoutDto extends zodDto(CheckoutRequestSchema) {}
class OrderIdParamsDto extends zodDto(OrderIdParamsSchema) {}

/**
 * `POST /api/checkout`: the caller's cart (found through the session, as for the cart routes)
 * becomes an order pending payment and a PaymentIntent whose client secret goes back to this
 * caller only. Public (guests check out too); with a session cookie the CSRF token is required
 * (global guard); rate limited as `checkout`. The body carries no amount: the contract refuses any.
 * `GET /api/checkout/orders/:id` shows the payment and confirmation pages an order the caller
 * placed (found through the session, like the cart: a guest sees only this session's orders).
 */
@ApiTags('checkout')
@Controller('checkout')
@Public()
export class CheckoutController {
  constructor(
    @Inject(CheckoutService) private readonly checkoutService: CheckoutService,
    @Inject(CartCallers) private readonly callers: CartCallers,
  ) {}

  @Post()
  @HttpCode(200)
  @RateLimit('checkout')
  @ApiOperation({
    summary:
      'Check out your cart: one order and one PaymentIntent per checkout key (a repeat returns them).',
  })
  @ApiBodyFrom(CheckoutRequestSchema)
  @ApiJsonResponse(200, CheckoutResponseSchema, 'The order and what the browser pays it with.')
  @ApiErrorResponses(400, 403, 409, 422, 429, 502, 503)
  async checkout(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() body: CheckoutDto,
  ): Promise<CheckoutResponse> {
    return this.checkoutService.checkout(await this.callers.of(request, reply), body);
  }

  @Get('orders/:id')
  @ApiOperation({
    summary:
      'An order you checked out (yours, or as a guest one from this session’s cart), and its payment while it awaits one.',
  })
  @ApiParamsFrom(OrderIdParamsSchema)
  @ApiJsonResponse(200, CheckoutOrderSchema, 'The order, and how to pay it while it is unpaid.')
  @ApiErrorResponses(400, 403, 404, 429, 502, 503)
  async placedOrder(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param() params: OrderIdParamsDto,
  ): Promise<CheckoutOrder> {
    return this.checkoutService.placedOrder(await this.callers.of(request, reply), params.id);
  }
}
