import type { Config } from '@react-router/dev/config';

/** React Router framework mode: server-side rendering of every page, sources in `app/`. */
export default {
  appDirectory: 'app',
  buildDirectory: 'build',
  ssr: true,
} satisfies Config;
