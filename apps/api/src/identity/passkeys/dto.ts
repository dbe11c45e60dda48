import {
  PasskeyAssertionRequestSchema,
  PasskeyIdParamsSchema,
  PasskeyRegistrationRequestSchema,
  PasskeyRenameRequestSchema,
} from '@storefront/contracts';
import { zodDto } from '../../core/validation/zod-dto';

/** Validated bodies and parameters of the passkey routes (schemas in `@storefront/contracts`). */
export class PasskeyRegistrationDto extends zodDto(PasskeyRegistrationRequestSchema) {}
/** An assertion answering a passkey challenge (sign-in, second factor, step-up). */
export class PasskeyAssertionDto extends zodDto(PasskeyAssertionRequestSchema) {}
/** A new name for one of the caller's passkeys. */
export class PasskeyRenameDto extends zodDto(PasskeyRenameRequestSchema) {}
/** One of the caller's passkeys, by its id in the API. */
export class PasskeyIdParamsDto extends zodDto(PasskeyIdParamsSchema) {}
