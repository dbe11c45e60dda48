import { Outlet, useRouteError } from 'react-router';
import { ErrorPage } from '../components/error-page';

/** The pages of the shop (pathless layout: the header and footer are in the root document). */
export default function Shop() {
  return <Outlet />;
}

/** 404 and error pages of every shop page, rendered inside the existing document. */
export function ErrorBoundary() {
  return <ErrorPage error={useRouteError()} />;
}
