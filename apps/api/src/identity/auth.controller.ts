import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AcceptedResponseSchema,
  LoginRequestSchema,
  LoginResponseSchema,
  MfaVerifyRequestSchema,
  PasswordResetCompleteSchema,
  PasswordResetRequestSchema,
  ReauthenticateRequestSchema,
  RegisterRequestSchema,
  SessionStateSchema,
  TokenRequestSchema,
  type AcceptedResponse,
  type LoginResponse,
  type SessionState,
} from '@storefront/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public, RequirePermissions } from '../core/http/public.decorator';
import { requestPrincipal } from '../core/http/principal';
import {
  ApiBodyFrom,
  ApiErrorResponses,
  ApiJsonResponse,
} from '../openapi/api-contract.decorators';
import { RateLimit } from '../rate-limit/rate-limit.decorators';
import { AccountService } from './account.service';
import { AuthenticationService } from './authentication.service';
import {
  LoginDto,
  MfaVerifyDto,
  PasswordResetCompleteDto,
  PasswordResetRequestDto,
  ReauthenticateDto,
  RegisterDto,
  StaffInviteCompleteDto,
  TokenDto,
} from './dto';
import { PasswordService } from './password.service';
import { RegistrationService } from './registration.service';
import { StaffService } from './staff.service';

/**
 * Sign-up, sign-in, second factor, step-up, sign-out and the emailed-link flows. Every route
 * that accepts credentials or tokens is under the tight `auth` rate limit (per client IP), on top
 * of the per-account throttling inside the login itself.
 */
@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    @Inject(AuthenticationService) private readonly auth: AuthenticationService,
    @Inject(RegistrationService) private readonly registration: RegistrationService,
    @Inject(PasswordService) private readonly passwords: PasswordService,
    @Inject(StaffService) private readonly staff: StaffService,
    @Inject(AccountService) private readonly account: AccountService,
  ) {}

  @Get('session')
  @Public()
  @ApiOperation({ summary: 'Where this browser session stands, and its CSRF token.' })
  @ApiJsonResponse(200, SessionStateSchema, 'The session state.')
  session(@Req() request: FastifyRequest): Promise<SessionState> {
    return this.auth.state(request);
  }

  @Post('register')
  @Public()
  @HttpCode(202)
  @RateLimit('auth')
  @ApiOperation({ summary: 'Create a customer account (same answer whether or not it exists).' })
  @ApiBodyFrom(RegisterRequestSchema)
  @ApiJsonResponse(202, AcceptedResponseSchema, 'Accepted; a link or a notice was emailed.')
  @ApiErrorResponses(400, 403, 422, 429)
  register(@Req() request: FastifyRequest, @Body() body: RegisterDto): Promise<AcceptedResponse> {
    return this.registration.register(request, body);
  }

  @Post('verify-email')
  @Public()
  @HttpCode(204)
  @RateLimit('auth')
  @ApiOperation({ summary: 'Confirm an email address with the emailed single-use token.' })
  @ApiBodyFrom(TokenRequestSchema)
  @ApiErrorResponses(400, 429)
  async verifyEmail(@Body() body: TokenDto): Promise<void> {
    await this.registration.verifyEmail(body.token);
  }

  @Post('login')
  @Public()
  @HttpCode(200)
  @RateLimit('auth')
  @ApiOperation({ summary: 'Sign in with email and password.' })
  @ApiBodyFrom(LoginRequestSchema)
  @ApiJsonResponse(200, LoginResponseSchema, 'Signed in, or a second factor is due.')
  @ApiErrorResponses(400, 401, 403, 429)
  login(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() body: LoginDto,
  ): Promise<LoginResponse> {
    return this.auth.login(request, reply, body);
  }

  @Post('mfa')
  @Public()
  @HttpCode(200)
  @RateLimit('auth')
  @ApiOperation({ summary: 'Complete a sign-in with a TOTP or recovery code.' })
  @ApiBodyFrom(MfaVerifyRequestSchema)
  @ApiJsonResponse(200, LoginResponseSchema, 'Signed in.')
  @ApiErrorResponses(400, 401, 403, 429)
  mfa(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() body: MfaVerifyDto,
  ): Promise<LoginResponse> {
    return this.auth.verifySecondFactor(request, reply, body);
  }

  @Post('reauthenticate')
  @RequirePermissions('account:own')
  @HttpCode(200)
  @RateLimit('auth')
  @ApiOperation({ summary: 'Step-up: confirm it is you before a sensitive action.' })
  @ApiBodyFrom(ReauthenticateRequestSchema)
  @ApiJsonResponse(200, LoginResponseSchema, 'Re-authenticated.')
  @ApiErrorResponses(400, 401, 403, 429)
  reauthenticate(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() body: ReauthenticateDto,
  ): Promise<LoginResponse> {
    return this.auth.reauthenticate(request, reply, requestPrincipal(request), body);
  }

  @Post('logout')
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'Sign out: the session ends on the server.' })
  @ApiErrorResponses(403)
  async logout(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.auth.logout(request, reply);
  }

  @Post('password-reset')
  @Public()
  @HttpCode(202)
  @RateLimit('auth')
  @ApiOperation({ summary: 'Email a password-reset link (same answer for unknown addresses).' })
  @ApiBodyFrom(PasswordResetRequestSchema)
  @ApiJsonResponse(202, AcceptedResponseSchema, 'Accepted.')
  @ApiErrorResponses(400, 403, 429)
  requestReset(
    @Req() request: FastifyRequest,
    @Body() body: PasswordResetRequestDto,
  ): Promise<AcceptedResponse> {
    return this.passwords.requestReset(request, body.email);
  }

  @Post('password-reset/complete')
  @Public()
  @HttpCode(204)
  @RateLimit('auth')
  @ApiOperation({ summary: 'Choose a new password with the emailed token; ends every session.' })
  @ApiBodyFrom(PasswordResetCompleteSchema)
  @ApiErrorResponses(400, 403, 422, 429)
  async completeReset(
    @Req() request: FastifyRequest,
    @Body() body: PasswordResetCompleteDto,
  ): Promise<void> {
    await this.passwords.completeReset(request, body);
  }

  @Post('confirm-email-change')
  @Public()
  @HttpCode(204)
  @RateLimit('auth')
  @ApiOperation({ summary: 'Confirm a new email address with the token sent to it.' })
  @ApiBodyFrom(TokenRequestSchema)
  @ApiErrorResponses(400, 403, 429)
  async confirmEmailChange(@Req() request: FastifyRequest, @Body() body: TokenDto): Promise<void> {
    await this.account.confirmEmailChange(request, body.token);
  }

  @Post('staff-invite/complete')
  @Public()
  @HttpCode(204)
  @RateLimit('auth')
  @ApiOperation({ summary: 'Accept a staff invitation by choosing a password (≥ 15 characters).' })
  @ApiBodyFrom(PasswordResetCompleteSchema)
  @ApiErrorResponses(400, 403, 422, 429)
  async completeInvite(@Body() body: StaffInviteCompleteDto): Promise<void> {
    await this.staff.completeInvite(body.token, body.password);
  }
}
