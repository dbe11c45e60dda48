import type { Address, ShippingAddress } from '@storefront/contracts';
import { Form } from 'react-router';
import { useMessages } from '../i18n/messages';
import { accountMessages } from '../i18n/messages/account';
import { FormAlert, fieldError, type FormResult } from './account-ui';
import { CsrfField, Field } from './form-fields';

/**
 * The shipping countries and their names in the page's language, sorted by name. Made by the
 * loader (on the server) and sent with the page, so the browser hydrates exactly the same text
 * whatever its own `Intl` data says.
 */
export type CountryNames = { code: string; name: string }[];

/**
 * An address form (add or edit), filled from the saved address or from the values the action sent
 * back with its refusal; the API's field issues show next to each field.
 */
export function AddressForm({
  csrfToken,
  address,
  result,
  intent,
  countries,
}: {
  csrfToken: string | null;
  address?: Address | undefined;
  result: FormResult | undefined;
  intent: string;
  /** The shipping countries by name, from the loader (see `countryNames`). */
  countries: CountryNames;
}) {
  const t = useMessages(accountMessages);
  const values = result?.failure ? result.values : undefined;
  const value = (name: keyof Address) =>
    values?.[name] ?? (address ? String(address[name] ?? '') : '');
  const countryError = fieldError(result, 'country');
  const text = (
    name: 'fullName' | 'line1' | 'line2' | 'postalCode' | 'city' | 'phone',
    autoComplete: string,
    maxLength: number,
    required = true,
  ) => (
    <Field
      name={name}
      label={t.addresses[name]}
      autoComplete={autoComplete}
      maxLength={maxLength}
      required={required}
      type={name === 'phone' ? 'tel' : 'text'}
      defaultValue={value(name)}
      error={fieldError(result, name)}
    />
  );
  return (
    <>
      <FormAlert result={result} />
      <Form method="post" className="account-form address-form">
        <CsrfField token={csrfToken} />
        <input type="hidden" name="intent" value={intent} />
        {text('fullName', 'shipping name', 100)}
        {text('line1', 'shipping address-line1', 200)}
        {text('line2', 'shipping address-line2', 200, false)}
        {text('postalCode', 'shipping postal-code', 12)}
        {text('city', 'shipping address-level2', 100)}
        <div className={countryError ? 'field invalid' : 'field'}>
          <label htmlFor="field-country">{t.addresses.country}</label>
          <select
            id="field-country"
            name="country"
            autoComplete="shipping country"
            required
            defaultValue={value('country') || 'FR'}
            aria-invalid={countryError ? true : undefined}
            aria-describedby={countryError ? 'field-country-error' : undefined}
          >
            {countries.map((c) => (
              <option key={c.code} value={c.code}>
                {c.name}
              </option>
            ))}
          </select>
          {countryError ? (
            <p id="field-country-error" className="field-error">
              {countryError}
            </p>
          ) : null}
        </div>
        {text('phone', 'shipping tel', 24, false)}
        <div className="checkbox">
          <input
            id="field-isDefault"
            type="checkbox"
            name="isDefault"
            value="true"
            defaultChecked={values ? values['isDefault'] === 'true' : (address?.isDefault ?? false)}
          />
          <label htmlFor="field-isDefault">{t.addresses.isDefault}</label>
        </div>
        <button type="submit" className="primary">
          {t.addresses.save}
        </button>
      </Form>
    </>
  );
}

/** One saved address, as lines of text. */
export function AddressLines({
  address,
  countries,
}: {
  address: ShippingAddress;
  countries: CountryNames;
}) {
  const country = countries.find((c) => c.code === address.country)?.name;
  return (
    <address>
      {address.fullName}
      <br />
      {address.line1}
      {address.line2 ? (
        <>
          <br />
          {address.line2}
        </>
      ) : null}
      <br />
      {`${address.postalCode} ${address.city}`}
      <br />
      {country ?? address.country}
      {address.phone ? (
        <>
          <br />
          {address.phone}
        </>
      ) : null}
    </address>
  );
}
