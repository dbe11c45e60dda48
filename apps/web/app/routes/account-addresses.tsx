import { AddressListSchema, AddressSchema } from '@storefront/contracts';
import { Form, Link, useActionData, useLoaderData } from 'react-router';
import { z } from 'zod';
import { AddressForm, AddressLines } from '../components/account-address-form';
import {
  AccountPage,
  FormAlert,
  Notice,
  resultFor,
  type FormResult,
} from '../components/account-ui';
import { CsrfField } from '../components/form-fields';
import { useLocalePath, useMessages } from '../i18n/messages';
import { accountMessages } from '../i18n/messages/account';
import { ACCOUNT_PATHS } from '../lib/account-paths';
import {
  AccountApi,
  addressFromForm,
  countryNames,
  localeOf,
  readForm,
  requireSignedIn,
  sessionData,
} from '../lib/account.server';
import type { Route } from './+types/account-addresses';

/** The address book (`GET /api/account/addresses`) and the form to add one. */
export async function loader(args: Route.LoaderArgs) {
  const lang = localeOf(args.params);
  const api = new AccountApi(args);
  const state = await requireSignedIn(args, api);
  const { addresses } = await api.need('/account/addresses', AddressListSchema);
  const saved = new URL(args.request.url).searchParams.get('saved') === '1';
  return { accountSession: sessionData(state), addresses, saved, countries: countryNames(lang) };
}

/** `add` (`POST /api/account/addresses`) or `delete` (`DELETE …/:id`, a uuid only). */
export async function action(args: Route.ActionArgs) {
  localeOf(args.params);
  const api = new AccountApi(args);
  const form = await readForm(args.request);
  if (form.text('intent') === 'delete') {
    const id = z.uuid().safeParse(form.text('addressId'));
    if (!id.success) {
      return api.failure({ code: 'NOT_FOUND', message: '', requestId: '' }, 404, {}, 'delete');
    }
    const result = await api.call(`/account/addresses/${id.data}`, null, {
      method: 'DELETE',
      csrfToken: form.csrf,
    });
    if (!result.ok) return api.failure(result.error, result.status, {}, 'delete');
    return api.done('delete');
  }
  const { body, values } = addressFromForm(form);
  const result = await api.call('/account/addresses', AddressSchema, {
    method: 'POST',
    body,
    csrfToken: form.csrf,
  });
  if (!result.ok) return api.failure(result.error, result.status, values, 'add');
  return api.done('add');
}

/** The addresses page. */
export default function Addresses() {
  const { accountSession, addresses, saved, countries } = useLoaderData<typeof loader>();
  const actionResult = useActionData<FormResult>();
  const t = useMessages(accountMessages);
  const href = useLocalePath();
  const add = resultFor(actionResult, 'add');
  const remove = resultFor(actionResult, 'delete');
  return (
    <AccountPage title={t.addresses.title} session={accountSession}>
      {saved && !actionResult ? <Notice>{t.addresses.saved}</Notice> : null}
      {add?.ok ? <Notice>{t.addresses.saved}</Notice> : null}
      {remove?.ok ? <Notice>{t.addresses.deleted}</Notice> : null}
      <FormAlert result={remove} />
      {addresses.length === 0 ? <p>{t.addresses.none}</p> : null}
      <ul className="address-list">
        {addresses.map((address) => (
          <li key={address.id}>
            {address.isDefault ? <span className="badge">{t.addresses.defaultBadge}</span> : null}
            <AddressLines address={address} countries={countries} />
            <div className="actions">
              <Link
                to={href(`${ACCOUNT_PATHS.addresses}/${address.id}`)}
                aria-label={t.addresses.editLabel(address.fullName)}
              >
                {t.addresses.edit}
              </Link>
              <Form method="post" className="inline-form">
                <CsrfField token={accountSession.csrfToken} />
                <input type="hidden" name="intent" value="delete" />
                <input type="hidden" name="addressId" value={address.id} />
                <button type="submit" aria-label={t.addresses.deleteLabel(address.fullName)}>
                  {t.addresses.delete}
                </button>
              </Form>
            </div>
          </li>
        ))}
      </ul>
      <section aria-labelledby="add-address-title" className="account-section">
        <h2 id="add-address-title">{t.addresses.addTitle}</h2>
        {/* A fresh, empty form after an address was added (the key changes). */}
        <AddressForm
          key={add?.ok ? `added-${addresses.length}` : 'add'}
          csrfToken={accountSession.csrfToken}
          result={add?.ok ? undefined : add}
          intent="add"
          countries={countries}
        />
      </section>
    </AccountPage>
  );
}
