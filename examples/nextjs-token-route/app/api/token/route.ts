// app/api/token/route.ts: a Next.js App Router route that answers LiveKit's TokenSource
// endpoint format with a callwright voice session, so `TokenSource.endpoint('/api/token')`
// (and LiveKit's agent-starter-react) work unchanged. Web-standard Request/Response only;
// callwright is called through its TypeScript SDK (`npm install <checkout>/clients/typescript`
// after building it there: see docs/sdks.md).
//
// Settings (server-side, never NEXT_PUBLIC_*): CALLWRIGHT_URL, CALLWRIGHT_API_KEY,
// CALLWRIGHT_AGENT_ID, and optionally CALLWRIGHT_AGENT_IDS (comma-separated) to let the
// page pick one of several agents through room_config.agents[0].agent_name.
//
// Each POST creates one session (it holds credits and a worker until the user joins or the
// join window passes): call it when the user presses Start, not on page load. See
// docs/agent-starter-react.md for the page side; app/api/end/route.ts ends it on hang-up.
import { createCallwrightClient } from '@callwright/client';

export const dynamic = 'force-dynamic';

type TokenSourceRequest = {
  room_config?: { agents?: { agent_name?: string; metadata?: string }[] };
  participant_metadata?: string;
};

type CallwrightError = {
  error: { type: string; code: string; message: string; param: string | null };
};

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers },
  });
}

function failure(
  status: number,
  code: string,
  message: string,
  param: string | null = null
): Response {
  const body: CallwrightError = { error: { type: 'invalid_request_error', code, message, param } };
  return json(status, body);
}

// The agent: LiveKit's agent_name, if the page sent one, must be one this route allows.
function agentFor(request: TokenSourceRequest): string | null {
  const fallback = process.env.CALLWRIGHT_AGENT_ID ?? '';
  const allowed = new Set(
    [fallback, ...(process.env.CALLWRIGHT_AGENT_IDS ?? '').split(',')].map((id) => id.trim())
  );
  const asked = request.room_config?.agents?.[0]?.agent_name;
  if (!asked) return fallback || null;
  return allowed.has(asked) ? asked : null;
}

export async function POST(req: Request): Promise<Response> {
  const issuer = (process.env.CALLWRIGHT_URL ?? 'http://127.0.0.1:8000').replace(/\/+$/, '');
  const apiKey = process.env.CALLWRIGHT_API_KEY;
  if (!apiKey)
    return failure(500, 'not_configured', 'CALLWRIGHT_API_KEY is not set on the server.');

  let body: TokenSourceRequest = {};
  const text = await req.text();
  if (text.trim()) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error();
      body = parsed as TokenSourceRequest;
    } catch {
      return failure(400, 'invalid_request', 'The body must be a JSON object.');
    }
  }
  const agentId = agentFor(body);
  if (agentId === null) {
    return failure(
      400,
      'agent_not_allowed',
      'This page may not call that agent.',
      'room_config.agents'
    );
  }

  // room_name, participant_identity/name/attributes are ignored: callwright names the room
  // and the participant (the API key's user), and dispatches the agent itself.
  const callwright = createCallwrightClient({ baseUrl: issuer, apiKey });
  let result;
  try {
    result = await callwright.POST('/v1/sessions/voice', { body: { agent_id: agentId } });
  } catch (e) {
    // The SDK parses a 2xx body as JSON: a SyntaxError is an answer that is not callwright's.
    return e instanceof SyntaxError
      ? failure(502, 'bad_gateway', 'callwright answered something unexpected.')
      : failure(502, 'issuer_unreachable', "Couldn't reach callwright. Try again in a moment.");
  }
  const { data: session, error, response } = result;
  if (error !== undefined) {
    if (error === null || typeof error !== 'object')
      return failure(502, 'bad_gateway', 'callwright answered something unexpected.');
    // callwright's error body as is (402 insufficient_credits, 429 with Retry-After…): the
    // page shows error.message to the user.
    const retryAfter = response.headers.get('retry-after');
    return json(response.status, error, retryAfter ? { 'Retry-After': retryAfter } : {});
  }
  return json(200, {
    server_url: session.livekit_url,
    participant_token: session.token,
    room_name: session.room_name,
    session_id: session.session_id,
  });
}
