// app/api/end/route.ts: the token route's companion. The page POSTs {"session_id": …} (the
// id app/api/token/route.ts answered) when the user hangs up, and this route calls End
// Session, so the session settles now instead of after the rejoin grace (about 20 s of a
// session still `active`). useCallwrightSession's third argument names this route.
//
// The session id is the page's proof: it is random, and only the page that started the
// session was given it. Settings: CALLWRIGHT_URL, CALLWRIGHT_API_KEY (as the token route).
import { createCallwrightClient } from '@callwright/client';

export const dynamic = 'force-dynamic';

const SESSION_ID = /^ses_[0-9a-f]{20}$/;

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
  return json(status, { error: { type: 'invalid_request_error', code, message, param } });
}

export async function POST(req: Request): Promise<Response> {
  const issuer = (process.env.CALLWRIGHT_URL ?? 'http://127.0.0.1:8000').replace(/\/+$/, '');
  const apiKey = process.env.CALLWRIGHT_API_KEY;
  if (!apiKey)
    return failure(500, 'not_configured', 'CALLWRIGHT_API_KEY is not set on the server.');

  const body: unknown = await req.json().catch(() => null);
  const sessionId =
    body !== null && typeof body === 'object' && 'session_id' in body ? body.session_id : null;
  if (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId))
    return failure(
      400,
      'invalid_request',
      'The body must be {"session_id": "ses_…"}.',
      'session_id'
    );

  const callwright = createCallwrightClient({ baseUrl: issuer, apiKey });
  let result;
  try {
    result = await callwright.POST('/v1/sessions/{session_id}/end', {
      params: { path: { session_id: sessionId } },
    });
  } catch (e) {
    return e instanceof SyntaxError
      ? failure(502, 'bad_gateway', 'callwright answered something unexpected.')
      : failure(502, 'issuer_unreachable', "Couldn't reach callwright. Try again in a moment.");
  }
  const { data: session, error, response } = result;
  if (error !== undefined) {
    if (error === null || typeof error !== 'object')
      return failure(502, 'bad_gateway', 'callwright answered something unexpected.');
    const retryAfter = response.headers.get('retry-after');
    return json(response.status, error, retryAfter ? { 'Retry-After': retryAfter } : {});
  }
  // Not the whole session (its transcript, usage, metadata): the page needs none of it.
  return json(200, {
    session_id: session.id,
    status: session.status,
    end_reason: session.end_reason,
  });
}
