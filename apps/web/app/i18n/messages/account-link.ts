import { defineMessages } from '../messages';

/**
 * The two words of the header's account link, on every page. Kept apart from the account area's
 * texts (messages/account.ts) so that catalogue pages do not load every account text for them.
 */
export const accountLinkMessages = defineMessages({
  en: { signIn: 'Sign in', account: 'Account' },
  fr: { signIn: 'Se connecter', account: 'Compte' },
});
