// The real shop for the browser journeys in test/browser/shop (see test/support/full-stack.mjs):
// web on localhost:$SHOP_WEB_PORT (default 4318). Every mail the SMTP listener receives is also
// written to $E2E_MAIL_DIR as JSON so the tests (another process) can read links from it.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFullStack } from '../support/full-stack.mjs';

const mailDir = process.env.E2E_MAIL_DIR;
if (!mailDir) throw new Error('E2E_MAIL_DIR is required');
rmSync(mailDir, { recursive: true, force: true });
mkdirSync(mailDir, { recursive: true });

const stack = await startFullStack({
  name: 'web_e2e_shop',
  webPort: Number(process.env.SHOP_WEB_PORT ?? 4318),
});
let written = 0;
const timer = setInterval(() => {
  while (written < stack.mail.messages.length) {
    const message = stack.mail.messages[written];
    writeFileSync(
      join(mailDir, `${String(written).padStart(4, '0')}.json`),
      JSON.stringify({ to: message.to, subject: message.subject, text: message.text }),
    );
    written += 1;
  }
}, 100);

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    clearInterval(timer);
    stack.stop().finally(() => process.exit(0));
  });
}
