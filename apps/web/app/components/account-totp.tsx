import { QRCodeSVG } from 'qrcode.react';

/**
 * What an authenticator app needs to add the account: a QR code of the `otpauth://` URI, drawn by
 * `qrcode.react` as React SVG elements (`<svg>` with two `<path>`s — no HTML string, no injection
 * sink, nothing Trusted Types would block), and the same secret as text for typing by hand.
 */
export function TotpSetup({
  uri,
  secret,
  texts,
}: {
  uri: string;
  secret: string;
  texts: { scan: string; qrTitle: string; key: string; link: string };
}) {
  // Groups of four characters are easier to type into an app.
  const grouped = secret.replace(/=+$/, '').replace(/(.{4})(?=.)/g, '$1 ');
  return (
    <div className="totp-setup">
      <p>{texts.scan}</p>
      <QRCodeSVG
        value={uri}
        size={192}
        level="M"
        marginSize={4}
        title={texts.qrTitle}
        className="totp-qr"
      />
      <dl>
        <dt>{texts.key}</dt>
        <dd>
          <code className="totp-secret">{grouped}</code>
        </dd>
        <dt>{texts.link}</dt>
        <dd>
          <code className="totp-uri">{uri}</code>
        </dd>
      </dl>
    </div>
  );
}
