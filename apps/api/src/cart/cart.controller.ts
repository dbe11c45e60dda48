import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Put,
  Req,
  Res,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AddCartLineRequestSchema,
  ApplyCouponRequestSchema,
  CartLineIdParamsSchema,
  CartSchema,
  SelectShippingMethodRequestSchema,
  UpdateCartLineRequestSchema,
  type Cart,
} from '@storefront/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../core/http/public.decorator';
import { zodDto } from '../core/validation/zod-dto';
import {
  ApiBodyFrom,
  ApiErrorResponses,
  ApiJsonResponse,
  ApiParamsFrom,
} from '../openapi/api-contract.decorators';
import { RateLimit } from '../rate-limit/rate-limit.decorators';
import { CartCallers } from './cart-caller';
import { CartService } from './cart.service';

class AddCartLineDto extends zodDto(AddCartLineRequestSchema) {}
class UpdateCartLineDto extends zodDto(UpdateCartLineRequestSchema) {}
class CartLineIdParamsDto extends zodDto(CartLineIdParamsSchema) {}
class ApplyCouponDto extends zodDto(ApplyCouponRequestSchema) {}
class SelectShippingMethodDto extends zodDto(SelectShippingMethodRequestSchema) {}

/**
 * The shopper's cart: guests (by their session) and signed-in customers (by their account).
 * Public, since guests shop too; state changes carrying a session cookie need its CSRF token
 * (global guard). Every answer is the whole cart priced by the server.
 */
@ApiTags('cart')
@Controller('cart')
@Public()
export class CartController {
  constructor(
    @Inject(CartService) private readonly cart: CartService,
    @Inject(CartCallers) private readonly callers: CartCallers,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Your cart, priced (empty without a session; starts none).' })
  @ApiJsonResponse(200, CartSchema, 'The cart.')
  @ApiErrorResponses(403, 503)
  async view(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Cart> {
    return this.cart.view(await this.callers.of(request, reply));
  }

  @Post('lines')
  @HttpCode(200)
  @ApiOperation({ summary: 'Add units of a variant (starts a guest session if needed).' })
  @ApiBodyFrom(AddCartLineRequestSchema)
  @ApiJsonResponse(200, CartSchema, 'The updated cart.')
  @ApiErrorResponses(400, 403, 409, 429, 503)
  async addLine(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() body: AddCartLineDto,
  ): Promise<Cart> {
    return this.cart.addLine(await this.callers.of(request, reply), body);
  }

  @Patch('lines/:id')
  @ApiOperation({ summary: 'Change the quantity of one of your lines.' })
  @ApiParamsFrom(CartLineIdParamsSchema)
  @ApiBodyFrom(UpdateCartLineRequestSchema)
  @ApiJsonResponse(200, CartSchema, 'The updated cart.')
  @ApiErrorResponses(400, 403, 404, 409, 429, 503)
  async updateLine(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param() params: CartLineIdParamsDto,
    @Body() body: UpdateCartLineDto,
  ): Promise<Cart> {
    return this.cart.updateLine(await this.callers.of(request, reply), params.id, body.quantity);
  }

  @Delete('lines/:id')
  @ApiOperation({ summary: 'Remove one of your lines.' })
  @ApiParamsFrom(CartLineIdParamsSchema)
  @ApiJsonResponse(200, CartSchema, 'The updated cart.')
  @ApiErrorResponses(400, 403, 404, 429, 503)
  async removeLine(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param() params: CartLineIdParamsDto,
  ): Promise<Cart> {
    return this.cart.removeLine(await this.callers.of(request, reply), params.id);
  }

  @Post('coupon')
  @HttpCode(200)
  @RateLimit('checkout')
  @ApiOperation({
    summary: 'Apply a coupon code (one answer for every refusal; attempts are rate limited).',
  })
  @ApiBodyFrom(ApplyCouponRequestSchema)
  @ApiJsonResponse(200, CartSchema, 'The cart with the coupon.')
  @ApiErrorResponses(400, 403, 422, 429, 503)
  async applyCoupon(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() body: ApplyCouponDto,
  ): Promise<Cart> {
    return this.cart.applyCoupon(await this.callers.of(request, reply), body.code);
  }

  @Delete('coupon')
  @ApiOperation({ summary: 'Remove the coupon from your cart.' })
  @ApiJsonResponse(200, CartSchema, 'The cart without a coupon.')
  @ApiErrorResponses(403, 429, 503)
  async removeCoupon(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Cart> {
    return this.cart.removeCoupon(await this.callers.of(request, reply));
  }

  @Put('shipping-method')
  @ApiOperation({ summary: 'Choose a shipping method.' })
  @ApiBodyFrom(SelectShippingMethodRequestSchema)
  @ApiJsonResponse(200, CartSchema, 'The cart with its shipping fee.')
  @ApiErrorResponses(400, 403, 429, 503)
  async selectShippingMethod(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() body: SelectShippingMethodDto,
  ): Promise<Cart> {
    return this.cart.selectShippingMethod(await this.callers.of(request, reply), body.code);
  }
}
