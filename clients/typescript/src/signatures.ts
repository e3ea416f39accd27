// Verifying what callwright sends you (written by hand, not generated).
//
// Lifecycle webhooks and HTTP tool calls carry the same Standard Webhooks signature:
// `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature` (`v1,<base64
// HMAC-SHA256 of "id.timestamp.body">`, space-separated, one per secret during a rotation),
// keyed by the `whsec_…` secret: the webhook endpoint's for webhooks, the organization's
// tool secret for tools. WebCrypto only (Node 20+, Deno, Bun, edge runtimes): no packages.

/** How far a signature's timestamp may be from now, either way (a replay older is refused). */
export const TOLERANCE_SECONDS = 5 * 60;

/** The request is not signed by callwright with this secret (or is too old or new). */
export class SignatureError extends Error {
  override name = "SignatureError";
}

/** A `Headers`, or Node's `req.headers` (any case). */
export type HeaderSource =
  Headers | Record<string, string | string[] | undefined>;

export interface VerifyOptions {
  /** Unix seconds to check the timestamp against (default: now). */
  now?: number;
}

/** A lifecycle webhook: `session.created`, `session.started`, `session.ended`, `webhook.test`. */
export interface WebhookEvent {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/** The body of a tool call (POST, PUT, PATCH, DELETE tools). */
export interface ToolCall {
  type: "tool.call";
  timestamp: string;
  data: {
    tool: { name: string; call_id: string };
    arguments: Record<string, unknown>;
    session: {
      id: string;
      agent_id: string;
      user_id: string;
      kind: string;
      metadata: Record<string, unknown> | null;
    };
  };
}

const encoder = new TextEncoder();

function header(headers: HeaderSource, name: string): string {
  let value: string | string[] | null | undefined;
  if (headers instanceof Headers) {
    value = headers.get(name);
  } else {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : headers[key];
  }
  if (Array.isArray(value)) value = value.join(" ");
  if (value === null || value === undefined) {
    throw new SignatureError(`the ${name} header is missing`);
  }
  return value;
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> | null {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/**
 * Resolves when `payload` (the raw body, exactly as received) carries a valid signature by
 * `secret` made within TOLERANCE_SECONDS of now; rejects with SignatureError otherwise.
 */
export async function verifySignature(
  payload: string | Uint8Array,
  headers: HeaderSource,
  secret: string,
  options: VerifyOptions = {},
): Promise<void> {
  const id = header(headers, "webhook-id");
  const timestamp = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  const sentAt = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || !Number.isSafeInteger(sentAt)) {
    throw new SignatureError("the webhook-timestamp header is not a number");
  }
  const now = options.now ?? Date.now() / 1000;
  if (Math.abs(now - sentAt) > TOLERANCE_SECONDS) {
    throw new SignatureError("the signature's timestamp is too old or too new");
  }
  const keyBytes = fromBase64(secret.replace(/^whsec_/, ""));
  if (keyBytes === null) {
    throw new TypeError("the secret is not a `whsec_…` signing secret");
  }
  const key = await crypto.subtle.importKey(
    "raw",
    keyBytes,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["verify"],
  );
  const body = typeof payload === "string" ? encoder.encode(payload) : payload;
  const prefix = encoder.encode(`${id}.${timestamp}.`);
  const signed = new Uint8Array(prefix.length + body.length);
  signed.set(prefix);
  signed.set(body, prefix.length);
  for (const candidate of signatures.split(" ")) {
    const [version, value] = candidate.split(",", 2);
    const signature = version === "v1" && value ? fromBase64(value) : null;
    // subtle.verify compares in constant time.
    if (
      signature &&
      (await crypto.subtle.verify("HMAC", key, signature, signed))
    ) {
      return;
    }
  }
  throw new SignatureError("no signature matches");
}

function text(payload: string | Uint8Array): string {
  return typeof payload === "string"
    ? payload
    : new TextDecoder().decode(payload);
}

/** A lifecycle webhook's event, once its signature by the endpoint's secret is verified. */
export async function verifyWebhook<T = WebhookEvent>(
  payload: string | Uint8Array,
  headers: HeaderSource,
  secret: string,
  options: VerifyOptions = {},
): Promise<T> {
  await verifySignature(payload, headers, secret, options);
  return JSON.parse(text(payload)) as T;
}

/** A tool call's body, once its signature by the organization's tool secret is verified. */
export async function verifyToolCall(
  payload: string | Uint8Array,
  headers: HeaderSource,
  secret: string,
  options: VerifyOptions = {},
): Promise<ToolCall> {
  await verifySignature(payload, headers, secret, options);
  return JSON.parse(text(payload)) as ToolCall;
}

/**
 * A GET tool call has no body: its signature covers
 * `{"method":"GET","url":"<url>","tool":"<name>"}` (compact JSON, in that order), `url`
 * being the full URL callwright requested (`https://<Host header><raw path and query>`,
 * behind a proxy the public one) and the name the `callwright-tool` header's. Resolves
 * to that tool name (check it is the tool you serve), so a request cannot be replayed to
 * another URL or tool.
 */
export async function verifyGetToolCall(
  url: string,
  headers: HeaderSource,
  secret: string,
  options: VerifyOptions = {},
): Promise<string> {
  const tool = header(headers, "callwright-tool");
  const signed = JSON.stringify({ method: "GET", url, tool });
  await verifySignature(signed, headers, secret, options);
  return tool;
}
