import { AddressSchema } from '@storefront/contracts';
import { Link, useActionData, useLoaderData } from 'react-router';
import { z } from 'zod';
import { AddressForm } from '../components/account-address-form';
import { AccountPage, type FormResult } from '../components/account-ui';
import { useLocalePath, useMessages } from '../i18n/messages';
import { accountMessages } from '../i18n/messages/account';
import { ACCOUNT_PATHS } from '../lib/account-paths';
import {
  AccountApi,
  addressFromForm,
  countryNames,
  localeOf,
  pagePath,
  readForm,
  redirectTo,
  requireSignedIn,
  sessionData,
} from '../lib/account.server';
import { pageError } from '../lib/http-status.server';
import type { Route } from './+types/account-address';

/** The address id of the URL: a uuid, or this page is a 404 (nothing else reaches the API path). */
function addressId(params: Route.LoaderArgs['params']): string {
  const id = z.uuid().safeParse(params.id);
  if (!id.success) pageError(404);
  return id.data;
}

/** One saved address, to edit (`GET /api/account/addresses/:id`; another account's is a 404). */
export async function loader(args: Route.LoaderArgs) {
  const lang = localeOf(args.params);
  const id = addressId(args.params);
  const api = new AccountApi(args);
  const state = await requireSignedIn(args, api);
  const address = await api.need(`/account/addresses/${id}`, AddressSchema);
  return { accountSession: sessionData(state), address, countries: countryNames(lang) };
}

/** Replaces the address (`PUT /api/account/addresses/:id`), then the address book. */
export async function action(args: Route.ActionArgs) {
  const lang = localeOf(args.params);
  const id = addressId(args.params);
  const api = new AccountApi(args);
  const form = await readForm(args.request);
  const { body, values } = addressFromForm(form);
  const result = await api.call(`/account/addresses/${id}`, AddressSchema, {
    method: 'PUT',
    body,
    csrfToken: form.csrf,
  });
  if (!result.ok) return api.failure(result.error, result.status, values, 'edit');
  return redirectTo(`${pagePath(lang, ACCOUNT_PATHS.addresses)}?saved=1`, api.headers);
}

/** The address edit page. */
export default function EditAddress() {
  const { accountSession, address, countries } = useLoaderData<typeof loader>();
  const result = useActionData<FormResult>();
  const t = useMessages(accountMessages);
  const href = useLocalePath();
  return (
    <AccountPage title={t.addresses.editTitle} session={accountSession}>
      <p>
        <Link to={href(ACCOUNT_PATHS.addresses)}>{t.addresses.back}</Link>
      </p>
      <AddressForm
        csrfToken={accountSession.csrfToken}
        address={address}
        result={result}
        intent="edit"
        countries={countries}
      />
    </AccountPage>
  );
}
