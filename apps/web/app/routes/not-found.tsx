import { pageError } from '../lib/http-status.server';

/** Any URL no other route matches: a 404 rendered by the `shop` layout's error boundary. */
export function loader(): never {
  return pageError(404);
}

/** Never rendered (the loader always throws). */
export default function NotFound() {
  return null;
}
