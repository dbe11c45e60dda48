import {
  ChangeEmailRequestSchema,
  ChangePasswordRequestSchema,
  CreateStaffRequestSchema,
  LoginRequestSchema,
  MfaVerifyRequestSchema,
  PasswordResetCompleteSchema,
  PasswordResetRequestSchema,
  ReauthenticateRequestSchema,
  RegisterRequestSchema,
  SessionHandleParamsSchema,
  SetRolesRequestSchema,
  TokenRequestSchema,
  TotpConfirmRequestSchema,
  UpdateProfileRequestSchema,
  UserIdParamsSchema,
} from '@storefront/contracts';
import { z } from 'zod';
import { zodDto } from '../core/validation/zod-dto';

/** Validated bodies and parameters of the identity routes (schemas in `@storefront/contracts`). */
export class RegisterDto extends zodDto(RegisterRequestSchema) {}
export class TokenDto extends zodDto(TokenRequestSchema) {}
export class LoginDto extends zodDto(LoginRequestSchema) {}
export class MfaVerifyDto extends zodDto(MfaVerifyRequestSchema) {}
export class ReauthenticateDto extends zodDto(ReauthenticateRequestSchema) {}
export class PasswordResetRequestDto extends zodDto(PasswordResetRequestSchema) {}
export class PasswordResetCompleteDto extends zodDto(PasswordResetCompleteSchema) {}
export class ChangePasswordDto extends zodDto(ChangePasswordRequestSchema) {}
export class ChangeEmailDto extends zodDto(ChangeEmailRequestSchema) {}
export class UpdateProfileDto extends zodDto(UpdateProfileRequestSchema) {}
export class SessionHandleParamsDto extends zodDto(SessionHandleParamsSchema) {}
export class TotpConfirmDto extends zodDto(TotpConfirmRequestSchema) {}
export class CreateStaffDto extends zodDto(CreateStaffRequestSchema) {}
export class SetRolesDto extends zodDto(SetRolesRequestSchema) {}
export class UserIdParamsDto extends zodDto(UserIdParamsSchema) {}
export class StaffInviteCompleteDto extends zodDto(PasswordResetCompleteSchema) {}
export class SetStatusDto extends zodDto(
  z.strictObject({ status: z.enum(['active', 'disabled']) }),
) {}
