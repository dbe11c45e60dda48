import type { Provider, Type } from '@nestjs/common';
import { PasskeyAuthController } from './passkey-auth.controller';
import { PasskeyChallenges } from './passkey-challenges.service';
import { PasskeyCredentialsRepository } from './passkey-credentials.repository';
import { PasskeyEnrolmentService } from './passkey-enrolment.service';
import { PasskeySignInService } from './passkey-sign-in.service';
import { PasskeysController } from './passkeys.controller';
import { WebauthnRelyingParty } from './webauthn-relying-party';

/*
 * Passkeys are part of the identity context (they are a second factor and a way to sign in, and
 * the second-factor adapter needs their repository), so `IdentityModule` lists these beside its
 * own controllers and providers rather than importing a module that would import it back.
 */

/** Routes of passkeys: the account's passkeys, and signing in with one. */
export const PASSKEY_CONTROLLERS: Type[] = [PasskeysController, PasskeyAuthController];

/** Services of passkeys. */
export const PASSKEY_PROVIDERS: Provider[] = [
  PasskeyCredentialsRepository,
  PasskeyChallenges,
  WebauthnRelyingParty,
  PasskeyEnrolmentService,
  PasskeySignInService,
];
