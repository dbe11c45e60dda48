// Container health probe, copied into the images (slim Node images ship no curl or wget).
//
//   node docker/healthcheck.mjs http://127.0.0.1:3333/api/health/live
//
// Exits 0 when the URL answers 2xx within HEALTHCHECK_TIMEOUT_MS (default 3000), 1 otherwise,
// 2 on a usage error. It follows no redirects and never prints the response body.
const target = process.argv[2];
if (!target || !/^https?:\/\//.test(target)) {
  console.error('usage: node healthcheck.mjs <http(s) URL>');
  process.exit(2);
}
const timeoutMs = Number(process.env.HEALTHCHECK_TIMEOUT_MS ?? '3000');
try {
  const response = await fetch(target, {
    redirect: 'manual',
    signal: AbortSignal.timeout(Number.isFinite(timeoutMs) && timeoutMs > 0 ? timeoutMs : 3000),
  });
  await response.body?.cancel();
  if (response.status < 200 || response.status > 299) {
    console.error(`unhealthy: HTTP ${response.status}`);
    process.exit(1);
  }
  process.exit(0);
} catch (error) {
  console.error(`unhealthy: ${error instanceof Error ? error.name : 'error'}`);
  process.exit(1);
}
