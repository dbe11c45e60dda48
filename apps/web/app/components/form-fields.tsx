import type { ReactNode } from 'react';

/**
 * The session's CSRF token as a hidden form field. Every form that changes state renders one; the
 * action sends it to the API as `x-csrf-token` (see lib/api-session.server.ts).
 */
export function CsrfField({ token }: { token: string | null }) {
  return token ? <input type="hidden" name="_csrf" value={token} /> : null;
}

/**
 * A labelled input with its error next to it: `aria-invalid` and `aria-describedby` point screen
 * readers at the message, which comes from the API's validation issues (`FormFailure.fields`).
 */
export function Field({
  name,
  label,
  error,
  hint,
  ...input
}: {
  name: string;
  label: ReactNode;
  error?: string | undefined;
  hint?: ReactNode;
} & Omit<React.InputHTMLAttributes<HTMLInputElement>, 'name'>) {
  const id = `field-${name}`;
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null]
    .filter(Boolean)
    .join(' ');
  return (
    <div className={error ? 'field invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      ) : null}
      <input
        id={id}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        {...input}
      />
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
