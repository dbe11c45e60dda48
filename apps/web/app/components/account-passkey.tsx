import { useEffect, useState } from 'react';
import { useMessages } from '../i18n/messages';
import { accountMessages } from '../i18n/messages/account';
import {
  authenticateWithPasskey,
  passkeysSupported,
  registerPasskey,
  type PasskeyAuthKind,
} from '../lib/account-passkeys';
import { errorText } from './account-ui';

/** True after hydration in a browser that supports passkeys (false during server rendering). */
export function usePasskeySupport(): boolean {
  const [supported, setSupported] = useState(false);
  useEffect(() => {
    setSupported(passkeysSupported());
  }, []);
  return supported;
}

/**
 * A "use a passkey" button (sign-in, second factor, step-up). It exists only where it can work:
 * after hydration, in a browser with WebAuthn; the password and code forms stay for everyone else.
 * `onSignedIn` gets control once the API has accepted the passkey (and set the new session).
 */
export function PasskeyButton({
  kind,
  label,
  csrfToken,
  onSignedIn,
  failureText,
}: {
  kind: PasskeyAuthKind;
  label: string;
  csrfToken: string | null;
  onSignedIn: () => void;
  failureText?: string;
}) {
  const t = useMessages(accountMessages);
  const supported = usePasskeySupport();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!supported) return null;
  const run = async () => {
    setBusy(true);
    setError(null);
    const outcome = await authenticateWithPasskey(kind, csrfToken);
    if (outcome.ok) {
      onSignedIn();
      return;
    }
    setBusy(false);
    setError(
      outcome.code === 'CANCELLED' || outcome.code === 'PASSKEY_REJECTED'
        ? (failureText ?? errorText(t, 'PASSKEY_REJECTED'))
        : errorText(t, outcome.code),
    );
  };
  return (
    <div className="passkey-action">
      <button type="button" className="secondary" disabled={busy} onClick={() => void run()}>
        {label}
      </button>
      {error ? (
        <p className="form-alert" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/**
 * Adds a passkey to the signed-in account (JavaScript only; the page says so otherwise). A
 * step-up demanded by the API sends the visitor to confirm it is them, coming back here.
 */
export function PasskeyRegistration({
  csrfToken,
  onAdded,
  onReauthenticate,
}: {
  csrfToken: string | null;
  onAdded: (recoveryCodes: string[] | null) => void;
  onReauthenticate: () => void;
}) {
  const t = useMessages(accountMessages);
  const supported = usePasskeySupport();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!supported) return <p className="field-hint">{t.security.passkeyNeedsScript}</p>;
  const run = async () => {
    setBusy(true);
    setError(null);
    const outcome = await registerPasskey(name, csrfToken);
    setBusy(false);
    if (outcome.ok) {
      setName('');
      onAdded(outcome.body.recoveryCodes);
    } else if (outcome.code === 'REAUTHENTICATION_REQUIRED') {
      onReauthenticate();
    } else {
      setError(
        outcome.code === 'CANCELLED' ? t.security.passkeyCancelled : errorText(t, outcome.code),
      );
    }
  };
  return (
    <div className="passkey-registration">
      <div className="field">
        <label htmlFor="new-passkey-name">{t.security.passkeyNewName}</label>
        <p id="new-passkey-name-hint" className="field-hint">
          {t.security.passkeyNewNameHint}
        </p>
        <input
          id="new-passkey-name"
          aria-describedby="new-passkey-name-hint"
          maxLength={64}
          value={name}
          onChange={(event) => {
            setName(event.target.value);
          }}
        />
      </div>
      <button type="button" disabled={busy} onClick={() => void run()}>
        {t.security.passkeyAdd}
      </button>
      {error ? (
        <p className="form-alert" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
