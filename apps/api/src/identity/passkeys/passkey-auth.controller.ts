import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  LoginResponseSchema,
  PasskeyAssertionRequestSchema,
  PasskeyAuthenticationOptionsResponseSchema,
  type LoginResponse,
  type PasskeyAuthenticationOptionsResponse,
} from '@storefront/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestPrincipal } from '../../core/http/principal';
import { Public, RequirePermissions } from '../../core/http/public.decorator';
import {
  ApiBodyFrom,
  ApiErrorResponses,
  ApiJsonResponse,
} from '../../openapi/api-contract.decorators';
import { RateLimit } from '../../rate-limit/rate-limit.decorators';
import { PasskeyAssertionDto } from './dto';
import { PasskeySignInService } from './passkey-sign-in.service';

/**
 * Signing in with a passkey: without a password, as the second factor of a password sign-in,
 * and as step-up. Each ceremony is two calls (options, then the browser's answer) and every call
 * is under the tight `auth` rate limit.
 */
@ApiTags('auth')
@Controller('auth')
export class PasskeyAuthController {
  constructor(@Inject(PasskeySignInService) private readonly passkeys: PasskeySignInService) {}

  @Post('passkey/options')
  @Public()
  @HttpCode(200)
  @RateLimit('auth')
  @ApiOperation({ summary: 'Begin signing in with a passkey, without a password.' })
  @ApiJsonResponse(
    200,
    PasskeyAuthenticationOptionsResponseSchema,
    'Pass `publicKey` to navigator.credentials.get().',
  )
  @ApiErrorResponses(403, 429)
  passwordlessOptions(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PasskeyAuthenticationOptionsResponse> {
    return this.passkeys.passwordlessOptions(request, reply);
  }

  @Post('passkey')
  @Public()
  @HttpCode(200)
  @RateLimit('auth')
  @ApiOperation({ summary: 'Sign in with a passkey (user verification required).' })
  @ApiBodyFrom(PasskeyAssertionRequestSchema)
  @ApiJsonResponse(200, LoginResponseSchema, 'Signed in.')
  @ApiErrorResponses(400, 401, 403, 429)
  signIn(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() body: PasskeyAssertionDto,
  ): Promise<LoginResponse> {
    return this.passkeys.signInWithPasskey(request, reply, body.credential);
  }

  @Post('mfa/passkey/options')
  @Public()
  @HttpCode(200)
  @RateLimit('auth')
  @ApiOperation({ summary: 'Begin completing a password sign-in with one of your passkeys.' })
  @ApiJsonResponse(
    200,
    PasskeyAuthenticationOptionsResponseSchema,
    'Pass `publicKey` to navigator.credentials.get().',
  )
  @ApiErrorResponses(401, 403, 409, 429)
  secondFactorOptions(
    @Req() request: FastifyRequest,
  ): Promise<PasskeyAuthenticationOptionsResponse> {
    return this.passkeys.secondFactorOptions(request);
  }

  @Post('mfa/passkey')
  @Public()
  @HttpCode(200)
  @RateLimit('auth')
  @ApiOperation({ summary: 'Complete a password sign-in with a passkey.' })
  @ApiBodyFrom(PasskeyAssertionRequestSchema)
  @ApiJsonResponse(200, LoginResponseSchema, 'Signed in.')
  @ApiErrorResponses(400, 401, 403, 429)
  secondFactor(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() body: PasskeyAssertionDto,
  ): Promise<LoginResponse> {
    return this.passkeys.verifySecondFactor(request, reply, body.credential);
  }

  @Post('reauthenticate/passkey/options')
  @RequirePermissions('account:own')
  @HttpCode(200)
  @RateLimit('auth')
  @ApiOperation({ summary: 'Begin a step-up with one of your passkeys.' })
  @ApiJsonResponse(
    200,
    PasskeyAuthenticationOptionsResponseSchema,
    'Pass `publicKey` to navigator.credentials.get().',
  )
  @ApiErrorResponses(401, 403, 409, 429)
  stepUpOptions(@Req() request: FastifyRequest): Promise<PasskeyAuthenticationOptionsResponse> {
    return this.passkeys.stepUpOptions(requestPrincipal(request));
  }

  @Post('reauthenticate/passkey')
  @RequirePermissions('account:own')
  @HttpCode(200)
  @RateLimit('auth')
  @ApiOperation({ summary: 'Step-up: confirm it is you with a passkey.' })
  @ApiBodyFrom(PasskeyAssertionRequestSchema)
  @ApiJsonResponse(200, LoginResponseSchema, 'Re-authenticated.')
  @ApiErrorResponses(400, 401, 403, 429)
  stepUp(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() body: PasskeyAssertionDto,
  ): Promise<LoginResponse> {
    return this.passkeys.stepUp(request, reply, requestPrincipal(request), body.credential);
  }
}
