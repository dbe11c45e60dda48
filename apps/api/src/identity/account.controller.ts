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
  Req,
  Res,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AcceptedResponseSchema,
  ChangeEmailRequestSchema,
  ChangePasswordRequestSchema,
  ProfileSchema,
  RecoveryCodesSchema,
  RevokedSchema,
  SessionListSchema,
  TotpConfirmRequestSchema,
  TotpEnrolmentSchema,
  UpdateProfileRequestSchema,
  type AcceptedResponse,
  type Profile,
  type RecoveryCodes,
  type Revoked,
  type SessionList,
  type TotpEnrolment,
} from '@storefront/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestPrincipal } from '../core/http/principal';
import {
  AllowDuringMfaEnrolment,
  RequirePermissions,
  RequireRecentAuth,
} from '../core/http/public.decorator';
import {
  ApiBodyFrom,
  ApiErrorResponses,
  ApiJsonResponse,
} from '../openapi/api-contract.decorators';
import { RateLimit } from '../rate-limit/rate-limit.decorators';
import { AccountService } from './account.service';
import {
  ChangeEmailDto,
  ChangePasswordDto,
  SessionHandleParamsDto,
  TotpConfirmDto,
  UpdateProfileDto,
} from './dto';
import { PasswordService } from './password.service';

/** The signed-in user's own account. Every route acts on the caller's own data only. */
@ApiTags('account')
@Controller('account')
@RequirePermissions('account:own')
export class AccountController {
  constructor(
    @Inject(AccountService) private readonly account: AccountService,
    @Inject(PasswordService) private readonly passwords: PasswordService,
  ) {}

  @Get('profile')
  @ApiOperation({ summary: 'Your profile and second factors.' })
  @ApiJsonResponse(200, ProfileSchema, 'The profile.')
  @ApiErrorResponses(401, 403)
  profile(@Req() request: FastifyRequest): Promise<Profile> {
    return this.account.profile(requestPrincipal(request));
  }

  @Patch('profile')
  @ApiOperation({
    summary: "Change your display name and/or the language of your account's emails.",
  })
  @ApiBodyFrom(UpdateProfileRequestSchema)
  @ApiJsonResponse(200, ProfileSchema, 'The updated profile.')
  @ApiErrorResponses(400, 401, 403)
  updateProfile(@Req() request: FastifyRequest, @Body() body: UpdateProfileDto): Promise<Profile> {
    return this.account.updateProfile(requestPrincipal(request), body);
  }

  @Post('password')
  @HttpCode(200)
  @RateLimit('auth')
  @ApiOperation({ summary: 'Change your password (needs the current one).' })
  @ApiBodyFrom(ChangePasswordRequestSchema)
  @ApiErrorResponses(400, 401, 403, 422, 429)
  changePassword(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() body: ChangePasswordDto,
  ): Promise<{ csrfToken: string }> {
    return this.passwords.change(request, reply, requestPrincipal(request), body);
  }

  @Post('email')
  @HttpCode(202)
  @RequireRecentAuth()
  @RateLimit('auth')
  @ApiOperation({ summary: 'Change your email address (step-up; confirmed from the new inbox).' })
  @ApiBodyFrom(ChangeEmailRequestSchema)
  @ApiJsonResponse(202, AcceptedResponseSchema, 'Accepted.')
  @ApiErrorResponses(400, 401, 403, 429)
  changeEmail(
    @Req() request: FastifyRequest,
    @Body() body: ChangeEmailDto,
  ): Promise<AcceptedResponse> {
    return this.account.requestEmailChange(request, requestPrincipal(request), body.newEmail);
  }

  @Get('sessions')
  @ApiOperation({ summary: 'Your signed-in sessions.' })
  @ApiJsonResponse(200, SessionListSchema, 'The sessions, most recent first.')
  @ApiErrorResponses(401, 403)
  sessions(@Req() request: FastifyRequest): Promise<SessionList> {
    return this.account.listSessions(requestPrincipal(request));
  }

  @Delete('sessions/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'End one of your sessions.' })
  @ApiErrorResponses(400, 401, 403, 404)
  async revokeSession(
    @Req() request: FastifyRequest,
    @Param() params: SessionHandleParamsDto,
  ): Promise<void> {
    await this.account.revokeSession(request, requestPrincipal(request), params.id);
  }

  @Delete('sessions')
  @ApiOperation({ summary: 'End all your other sessions.' })
  @ApiJsonResponse(200, RevokedSchema, 'How many sessions ended.')
  @ApiErrorResponses(401, 403)
  revokeOthers(@Req() request: FastifyRequest): Promise<Revoked> {
    return this.account.revokeOtherSessions(request, requestPrincipal(request));
  }

  @Post('mfa/totp')
  @AllowDuringMfaEnrolment()
  @RequireRecentAuth()
  @ApiOperation({ summary: 'Start TOTP enrolment: returns the secret for an authenticator app.' })
  @ApiJsonResponse(201, TotpEnrolmentSchema, 'The otpauth URI and secret.')
  @ApiErrorResponses(401, 403, 409)
  beginTotp(@Req() request: FastifyRequest): Promise<TotpEnrolment> {
    return this.account.beginTotp(requestPrincipal(request));
  }

  @Post('mfa/totp/confirm')
  @AllowDuringMfaEnrolment()
  @HttpCode(200)
  @RateLimit('auth')
  @ApiOperation({ summary: 'Confirm TOTP with a first code; returns recovery codes once.' })
  @ApiBodyFrom(TotpConfirmRequestSchema)
  @ApiJsonResponse(200, RecoveryCodesSchema, 'Recovery codes (shown once).')
  @ApiErrorResponses(400, 401, 403, 429)
  confirmTotp(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() body: TotpConfirmDto,
  ): Promise<RecoveryCodes> {
    return this.account.confirmTotp(request, reply, requestPrincipal(request), body.code);
  }

  @Delete('mfa/totp')
  @HttpCode(204)
  @RequireRecentAuth()
  @ApiOperation({ summary: 'Remove TOTP (customers only; step-up).' })
  @ApiErrorResponses(401, 403)
  async removeTotp(@Req() request: FastifyRequest): Promise<void> {
    await this.account.removeTotp(request, requestPrincipal(request));
  }

  @Post('mfa/recovery-codes')
  @HttpCode(200)
  @RequireRecentAuth()
  @ApiOperation({ summary: 'Replace your recovery codes (step-up).' })
  @ApiErrorResponses(401, 403, 409)
  regenerateRecoveryCodes(@Req() request: FastifyRequest): Promise<{ recoveryCodes: string[] }> {
    return this.account.regenerateRecoveryCodes(request, requestPrincipal(request));
  }
}
