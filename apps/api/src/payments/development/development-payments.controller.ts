import { Body, Controller, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  DevelopmentPaymentAuthenticateSchema,
  DevelopmentPaymentConfirmSchema,
  DevelopmentPaymentParamsSchema,
  DevelopmentPaymentStateSchema,
  type DevelopmentPaymentState,
} from '@storefront/contracts';
import type { FastifyRequest } from 'fastify';
import { auditContextOf } from '../../audit/audit-context';
import { Public } from '../../core/http/public.decorator';
import { zodDto } from '../../core/validation/zod-dto';
import {
  ApiBodyFrom,
  ApiErrorResponses,
  ApiJsonResponse,
  ApiParamsFrom,
} from '../../openapi/api-contract.decorators';
import { RateLimit } from '../../rate-limit/rate-limit.decorators';
import { PaymentEventProcessor } from '../payment-event.processor';
import type { PaymentIntentView } from '../payment-gateway';
import { DevelopmentPaymentGateway } from './development-payment.gateway';

class ConfirmDto extends zodDto(DevelopmentPaymentConfirmSchema) {}
class AuthenticateDto extends zodDto(DevelopmentPaymentAuthenticateSchema) {}
class ParamsDto extends zodDto(DevelopmentPaymentParamsSchema) {}

function stateOf(intent: PaymentIntentView): DevelopmentPaymentState {
  return {
    paymentIntentId: intent.id,
    status: intent.status,
    declineCode: intent.lastFailure?.declineCode ?? intent.lastFailure?.code ?? null,
  };
}

/**
 * The browser's side of the development payment provider, standing in for Stripe.js: confirm a
 * PaymentIntent with a test token, then pass or fail the simulated 3-D Secure step. Registered
 * only with `PAYMENT_PROVIDER=development` (never in production). The caller proves it holds the
 * intent's client secret, like Stripe.js does; each state change goes through the same event
 * processing as a Stripe webhook before the answer is sent.
 */
@ApiTags('payments')
@Controller('payments/development/intents')
@Public()
@RateLimit('checkout')
export class DevelopmentPaymentsController {
  constructor(
    @Inject(DevelopmentPaymentGateway) private readonly gateway: DevelopmentPaymentGateway,
    @Inject(PaymentEventProcessor) private readonly processor: PaymentEventProcessor,
  ) {}

  @Post(':id/confirm')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Development provider: pay with a test token (success, decline or 3-D Secure).',
  })
  @ApiParamsFrom(DevelopmentPaymentParamsSchema)
  @ApiBodyFrom(DevelopmentPaymentConfirmSchema)
  @ApiJsonResponse(200, DevelopmentPaymentStateSchema, 'Where the payment stands.')
  @ApiErrorResponses(400, 404, 409, 429)
  async confirm(
    @Req() request: FastifyRequest,
    @Param() params: ParamsDto,
    @Body() body: ConfirmDto,
  ): Promise<DevelopmentPaymentState> {
    const { intent, eventType } = await this.gateway.confirm(
      params.id,
      body.clientSecret,
      body.paymentMethod,
    );
    await this.processor.process(
      DevelopmentPaymentGateway.notice(eventType, intent.id),
      auditContextOf(request),
    );
    return stateOf(intent);
  }

  @Post(':id/authenticate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Development provider: the simulated 3-D Secure step.' })
  @ApiParamsFrom(DevelopmentPaymentParamsSchema)
  @ApiBodyFrom(DevelopmentPaymentAuthenticateSchema)
  @ApiJsonResponse(200, DevelopmentPaymentStateSchema, 'Where the payment stands.')
  @ApiErrorResponses(400, 404, 409, 429)
  async authenticate(
    @Req() request: FastifyRequest,
    @Param() params: ParamsDto,
    @Body() body: AuthenticateDto,
  ): Promise<DevelopmentPaymentState> {
    const { intent, eventType } = await this.gateway.authenticate(
      params.id,
      body.clientSecret,
      body.outcome,
    );
    await this.processor.process(
      DevelopmentPaymentGateway.notice(eventType, intent.id),
      auditContextOf(request),
    );
    return stateOf(intent);
  }
}
