import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CheckoutRequestSchema,
  CheckoutResponseSchema,
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
} from '../openapi/api-contract.decorators';
import { RateLimit } from '../rate-limit/rate-limit.decorators';
import { CheckoutService } from './checkout.service';

class CheckoutDto extends zodDto(CheckoutRequestSchema) {}

/**
 * `POST /api/checkout`: the caller's cart (found through the session, as for the cart routes)
 * becomes an order pending payment and a PaymentIntent whose client secret goes back to this
 * caller only. Public (guests check out too); with a session cookie the CSRF token is required
 * (global guard); rate limited as `checkout`. The body carries no amount: the contract refuses any.
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
}
