import { useEffect, useSyncExternalStore } from 'react';
import {
  JSON_LD_POLICY_NAME,
  isSerialisedJsonLd,
  serializeJsonLd,
  type JsonLdDocument,
} from '../lib/json-ld';

/**
 * Structured data under Trusted Types.
 *
 * The server renders `<script type="application/ld+json">` with the escaped JSON as its text (React
 * writes a string child of `<script>` as is; {@link serializeJsonLd} leaves no `<`, `>` or `&`
 * in it), and hydration adopts that element untouched. But React cannot create or update a script
 * element in the browser under `require-trusted-types-for 'script'`: it creates one through an
 * `innerHTML` probe and sets its text through `textContent`, both Trusted Types sinks. So once
 * the page is hydrated, this component renders nothing and writes the element itself, its text
 * passing through the one named policy the CSP allows, which accepts nothing but serialised
 * JSON-LD. No `default` policy exists, so every other sink assignment still throws.
 */

/** The parts of the Trusted Types API used here (not in TypeScript's DOM library yet). */
interface TrustedScriptPolicy {
  createScript(input: string): unknown;
}
interface TrustedTypePolicyFactory {
  createPolicy(name: string, rules: { createScript(input: string): string }): TrustedScriptPolicy;
}

/** Where the policy is kept: created once per document (a second creation is a CSP violation). */
const POLICY_KEY = Symbol.for('storefront.json-ld-policy');
type PolicyHolder = { [POLICY_KEY]?: TrustedScriptPolicy | null };

/**
 * The `storefront-jsonld` policy, or null in a browser without Trusted Types. Its only rule:
 * the text is JSON-LD as {@link serializeJsonLd} writes it; anything else throws.
 */
function jsonLdPolicy(): TrustedScriptPolicy | null {
  const holder = globalThis as PolicyHolder;
  if (holder[POLICY_KEY] !== undefined) return holder[POLICY_KEY];
  const factory = (globalThis as { trustedTypes?: TrustedTypePolicyFactory }).trustedTypes;
  const policy =
    factory?.createPolicy(JSON_LD_POLICY_NAME, {
      createScript(input) {
        if (!isSerialisedJsonLd(input)) {
          throw new TypeError(
            `${JSON_LD_POLICY_NAME}: refused text that is not serialised JSON-LD`,
          );
        }
        return input;
      },
    }) ?? null;
  holder[POLICY_KEY] = policy;
  return policy;
}

// Claim the policy name as soon as the module loads in a browser, before anything else could.
if (typeof document !== 'undefined') jsonLdPolicy();

const noSubscription = () => () => undefined;

/** True after hydration (false on the server and while hydrating the server's HTML). */
function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}

/** One JSON-LD document of the page. */
export function JsonLd({ data }: { data: JsonLdDocument }) {
  const json = serializeJsonLd(data);
  const hydrated = useHydrated();
  useEffect(() => {
    if (!hydrated) return undefined;
    const script = document.createElement('script');
    script.type = 'application/ld+json';
    const policy = jsonLdPolicy();
    // A TrustedScript from the policy (or the checked text where the browser has no Trusted Types).
    script.textContent = (policy ? policy.createScript(json) : json) as string;
    document.head.append(script);
    return () => {
      script.remove();
    };
  }, [hydrated, json]);
  return hydrated ? null : <script type="application/ld+json">{json}</script>;
}
