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
  PasskeyEnrolledSchema,
  PasskeyIdParamsSchema,
  PasskeyListSchema,
  PasskeyRegistrationOptionsResponseSchema,
  PasskeyRegistrationRequestSchema,
  PasskeyRenameRequestSchema,
  PasskeySummarySchema,
  type PasskeyEnrolled,
  type PasskeyList,
  type PasskeyRegistrationOptionsResponse,
  type PasskeySummary,
} from '@storefront/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestPrincipal } from '../../core/http/principal';
import {
  AllowDuringMfaEnrolment,
  RequirePermissions,
  RequireRecentAuth,
} from '../../core/http/public.decorator';
import {
  ApiBodyFrom,
  ApiErrorResponses,
  ApiJsonResponse,
  ApiParamsFrom,
} from '../../openapi/api-contract.decorators';
import { RateLimit } from '../../rate-limit/rate-limit.decorators';
import { PasskeyIdParamsDto, PasskeyRegistrationDto, PasskeyRenameDto } from './dto';
import { PasskeyEnrolmentService } from './passkey-enrolment.service';

/**
 * The signed-in user's own passkeys. Registration is also how a staff member can satisfy the
 * second factor forced at first sign-in (`@AllowDuringMfaEnrolment`).
 */
@ApiTags('account')
@Controller('account/passkeys')
@RequirePermissions('account:own')
export class PasskeysController {
  constructor(
    @Inject(PasskeyEnrolmentService) private readonly enrolment: PasskeyEnrolmentService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Your passkeys.' })
  @ApiJsonResponse(200, PasskeyListSchema, 'The passkeys, oldest first.')
  @ApiErrorResponses(401, 403)
  list(@Req() request: FastifyRequest): Promise<PasskeyList> {
    return this.enrolment.list(requestPrincipal(request));
  }

  @Post('registration/options')
  @HttpCode(200)
  @AllowDuringMfaEnrolment()
  @RequireRecentAuth()
  @ApiOperation({ summary: 'Begin registering a passkey (step-up): options for the browser.' })
  @ApiJsonResponse(
    200,
    PasskeyRegistrationOptionsResponseSchema,
    'Pass `publicKey` to navigator.credentials.create().',
  )
  @ApiErrorResponses(401, 403, 409)
  registrationOptions(@Req() request: FastifyRequest): Promise<PasskeyRegistrationOptionsResponse> {
    return this.enrolment.registrationOptions(requestPrincipal(request));
  }

  @Post()
  @HttpCode(201)
  @AllowDuringMfaEnrolment()
  @RequireRecentAuth()
  @RateLimit('auth')
  @ApiOperation({ summary: 'Finish registering a passkey with the browser’s answer (step-up).' })
  @ApiBodyFrom(PasskeyRegistrationRequestSchema)
  @ApiJsonResponse(
    201,
    PasskeyEnrolledSchema,
    'Registered (first second factor: with recovery codes).',
  )
  @ApiErrorResponses(400, 401, 403, 409, 429)
  register(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() body: PasskeyRegistrationDto,
  ): Promise<PasskeyEnrolled> {
    return this.enrolment.register(request, reply, requestPrincipal(request), body);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename one of your passkeys.' })
  @ApiParamsFrom(PasskeyIdParamsSchema)
  @ApiBodyFrom(PasskeyRenameRequestSchema)
  @ApiJsonResponse(200, PasskeySummarySchema, 'The renamed passkey.')
  @ApiErrorResponses(400, 401, 403, 404)
  rename(
    @Req() request: FastifyRequest,
    @Param() params: PasskeyIdParamsDto,
    @Body() body: PasskeyRenameDto,
  ): Promise<PasskeySummary> {
    return this.enrolment.rename(requestPrincipal(request), params.id, body.name);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRecentAuth()
  @ApiOperation({ summary: 'Remove one of your passkeys (step-up; staff keep one second factor).' })
  @ApiParamsFrom(PasskeyIdParamsSchema)
  @ApiErrorResponses(400, 401, 403, 404)
  async remove(@Req() request: FastifyRequest, @Param() params: PasskeyIdParamsDto): Promise<void> {
    await this.enrolment.remove(request, requestPrincipal(request), params.id);
  }
}
