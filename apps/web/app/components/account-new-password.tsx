import { Form } from 'react-router';
import { useMessages } from '../i18n/messages';
import { accountMessages } from '../i18n/messages/account';
import { useFragmentToken } from './account-token';
import { AccountPage, FormAlert, Notice, fieldError, type FormResult } from './account-ui';
import { CsrfField, Field } from './form-fields';

/**
 * A page that sets a password with an emailed token (password reset, staff invitation). With
 * JavaScript the fragment's token goes into a hidden field; without, the visitor pastes the link.
 */
export function NewPasswordPage({
  title,
  intro,
  submit,
  passwordHint,
  minLength,
  csrfToken,
  result,
}: {
  title: string;
  intro: string;
  submit: string;
  passwordHint: string;
  minLength: number;
  csrfToken: string | null;
  result: FormResult | undefined;
}) {
  const t = useMessages(accountMessages);
  const token = useFragmentToken();
  return (
    <AccountPage title={title}>
      <p>{intro}</p>
      <FormAlert result={result} />
      <Form method="post" className="account-form">
        <CsrfField token={csrfToken} />
        {token ? (
          <>
            <input type="hidden" name="token" value={token} />
            <Notice>{t.reset.linkFound}</Notice>
          </>
        ) : (
          <Field
            name="token"
            label={t.fields.token}
            hint={t.fields.tokenHint}
            autoComplete="off"
            required
            maxLength={2048}
            error={fieldError(result, 'token')}
          />
        )}
        <Field
          name="password"
          type="password"
          label={t.fields.newPassword}
          hint={passwordHint}
          autoComplete="new-password"
          required
          minLength={minLength}
          maxLength={256}
          error={fieldError(result, 'password')}
        />
        <button type="submit" className="primary">
          {submit}
        </button>
      </Form>
    </AccountPage>
  );
}
