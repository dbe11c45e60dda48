import { Body, Controller, Get, Inject, Param, Post, Put, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CreateStaffRequestSchema,
  SetRolesRequestSchema,
  StaffMemberSchema,
  type StaffMember,
} from '@storefront/contracts';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { auditContextOf } from '../audit/audit-context';
import { requestPrincipal } from '../core/http/principal';
import { RequirePermissions, RequireRecentAuth } from '../core/http/public.decorator';
import {
  ApiBodyFrom,
  ApiErrorResponses,
  ApiJsonResponse,
} from '../openapi/api-contract.decorators';
import { CreateStaffDto, SetRolesDto, SetStatusDto, UserIdParamsDto } from './dto';
import { StaffService } from './staff.service';

function contextOf(request: FastifyRequest) {
  const principal = requestPrincipal(request);
  return auditContextOf(request, { type: principal.kind, id: principal.userId });
}

/** Back-office management of staff accounts and account status (administrators). */
@ApiTags('admin')
@Controller('admin')
export class StaffController {
  constructor(@Inject(StaffService) private readonly staff: StaffService) {}

  @Get('staff')
  @RequirePermissions('staff:manage')
  @ApiOperation({ summary: 'List staff accounts and their roles.' })
  @ApiJsonResponse(200, z.array(StaffMemberSchema), 'Staff accounts.')
  @ApiErrorResponses(401, 403)
  list(): Promise<StaffMember[]> {
    return this.staff.list();
  }

  @Post('staff')
  @RequirePermissions('staff:manage')
  @RequireRecentAuth()
  @ApiOperation({ summary: 'Invite a staff member (an emailed link to choose a password).' })
  @ApiBodyFrom(CreateStaffRequestSchema)
  @ApiJsonResponse(201, StaffMemberSchema, 'The new staff account.')
  @ApiErrorResponses(400, 401, 403, 409)
  create(@Req() request: FastifyRequest, @Body() body: CreateStaffDto): Promise<StaffMember> {
    return this.staff.create(contextOf(request), body);
  }

  @Put('staff/:id/roles')
  @RequirePermissions('staff:manage')
  @RequireRecentAuth()
  @ApiOperation({ summary: "Replace a staff member's roles (ends their sessions)." })
  @ApiBodyFrom(SetRolesRequestSchema)
  @ApiJsonResponse(200, StaffMemberSchema, 'The staff account.')
  @ApiErrorResponses(400, 401, 403, 404, 409)
  setRoles(
    @Req() request: FastifyRequest,
    @Param() params: UserIdParamsDto,
    @Body() body: SetRolesDto,
  ): Promise<StaffMember> {
    return this.staff.setRoles(contextOf(request), params.id, body.roles);
  }

  @Put('users/:id/status')
  @RequirePermissions('staff:manage')
  @RequireRecentAuth()
  @ApiOperation({ summary: 'Disable or re-enable an account (disabling ends its sessions).' })
  @ApiJsonResponse(200, StaffMemberSchema, 'The account.')
  @ApiErrorResponses(400, 401, 403, 404, 409)
  setStatus(
    @Req() request: FastifyRequest,
    @Param() params: UserIdParamsDto,
    @Body() body: SetStatusDto,
  ): Promise<StaffMember> {
    return this.staff.setStatus(contextOf(request), params.id, body.status);
  }
}
