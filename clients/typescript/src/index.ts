// The callwright API client: openapi-fetch typed by `schema.ts`, which openapi-typescript
// generates from the issuer's OpenAPI schema (`make sdk`). Written by hand, like
// signatures.ts; schema.ts is never edited.
import createClient, { type Client, type ClientOptions } from "openapi-fetch";
import type { components, paths } from "./schema.js";

export type { components, operations, paths } from "./schema.js";
export * from "./signatures.js";

/** The API's models by name, e.g. `Schemas["SessionPublic"]`. */
export type Schemas = components["schemas"];
export type CallwrightClient = Client<paths>;

export interface CallwrightOptions extends Omit<ClientOptions, "baseUrl"> {
  /** The issuer, e.g. `http://127.0.0.1:8000` under `make run`. */
  baseUrl: string;
  /** The organization's API key (a secret of your backend, never of a browser). */
  apiKey: string;
}

/**
 * A typed client: `client.POST("/v1/agents", { body })` answers `{ data }` on 2xx and
 * `{ error }` (the `{"error": {type, code, message, param}}` body) otherwise.
 */
export function createCallwrightClient(
  options: CallwrightOptions,
): CallwrightClient {
  const { apiKey, headers, ...rest } = options;
  const merged = new Headers(headers as HeadersInit | undefined);
  merged.set("X-API-Key", apiKey);
  return createClient<paths>({ ...rest, headers: merged });
}
