// A backend proxy for callwright in plain Node (node:http, no framework), calling callwright
// through its TypeScript SDK (@callwright/client, clients/typescript). The browser never sees
// the API key: it asks this server, which calls callwright.
//
//   (cd ../../clients/typescript && npm ci && npm run build) && npm ci
//   CALLWRIGHT_URL=http://127.0.0.1:8000 CALLWRIGHT_API_KEY=cw_live_… \
//   CALLWRIGHT_AGENT_ID=5b710eca node server.mjs
//
// POST /api/session  → callwright's Create Voice Session answer, as is
// POST /api/token    → the same call in LiveKit's TokenSource endpoint format
//                      ({server_url, participant_token}), for TokenSource.endpoint()
// POST /api/end      → End Session for {"session_id": …} (a session /api/* created: the id
//                      is the browser's proof), so a hang-up ends it at once
// GET  /*            → files of STATIC_DIR, if set (e.g. the React example's dist/)
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { createCallwrightClient } from '@callwright/client';

const ISSUER = (process.env.CALLWRIGHT_URL ?? 'http://127.0.0.1:8000').replace(/\/+$/, '');
const API_KEY = process.env.CALLWRIGHT_API_KEY;
const AGENT_ID = process.env.CALLWRIGHT_AGENT_ID;
const PORT = Number(process.env.PORT ?? 3000);
const HOST = process.env.HOST ?? '127.0.0.1';
const STATIC_DIR = process.env.STATIC_DIR;
const MAX_BODY = 16 * 1024;
const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.map': 'application/json',
};

if (!API_KEY || !AGENT_ID) {
  console.error('set CALLWRIGHT_API_KEY and CALLWRIGHT_AGENT_ID');
  process.exit(2);
}
const callwright = createCallwrightClient({ baseUrl: ISSUER, apiKey: API_KEY });
const SESSION_ID = /^ses_[0-9a-f]{20}$/;

function send(res, status, body, headers = {}) {
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(JSON.stringify(body));
}

function error(status, code, message) {
  return {
    error: {
      type: status >= 500 ? 'api_error' : 'invalid_request_error',
      code,
      message,
      param: null,
    },
  };
}

async function readJson(req) {
  let size = 0;
  const chunks = [];
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  try {
    const value = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

// One SDK call's answer as [status, body, headers]: callwright's own error body (402
// insufficient_credits, 429 with Retry-After, …) is passed on for the page to show.
async function answerOf(call) {
  let result;
  try {
    result = await call;
  } catch (e) {
    // The SDK parses a 2xx body as JSON: a SyntaxError is an answer that is not callwright's.
    return e instanceof SyntaxError
      ? [502, error(502, 'bad_gateway', 'callwright answered something unexpected.')]
      : [
          502,
          error(502, 'issuer_unreachable', "Couldn't reach callwright. Try again in a moment."),
        ];
  }
  const { data, error: refusal, response } = result;
  const retryAfter = response.headers.get('retry-after');
  const headers = retryAfter ? { 'Retry-After': retryAfter } : {};
  const body = response.ok ? data : refusal;
  if (body === null || typeof body !== 'object')
    return [502, error(502, 'bad_gateway', 'callwright answered something unexpected.')];
  return [response.status, body, headers];
}

// One callwright voice session (Create Voice Session).
function createSession(metadata) {
  return answerOf(
    callwright.POST('/v1/sessions/voice', {
      body: metadata ? { agent_id: AGENT_ID, metadata } : { agent_id: AGENT_ID },
    })
  );
}

// End Session: the room closes and the session settles now, not after the rejoin grace.
function endSession(sessionId) {
  return answerOf(
    callwright.POST('/v1/sessions/{session_id}/end', {
      params: { path: { session_id: sessionId } },
    })
  );
}

async function serveStatic(req, res) {
  const path = new URL(req.url, 'http://x').pathname;
  const file = normalize(join(STATIC_DIR, path === '/' ? 'index.html' : path));
  if (!file.startsWith(normalize(STATIC_DIR)))
    return send(res, 404, error(404, 'not_found', 'Not found.'));
  try {
    const data = await readFile(file);
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(data);
  } catch {
    send(res, 404, error(404, 'not_found', 'Not found.'));
  }
}

const server = createServer(async (req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (req.method === 'POST' && (path === '/api/session' || path === '/api/token')) {
    const body = await readJson(req);
    if (body === undefined)
      return send(res, 400, error(400, 'invalid_request', 'The body must be a JSON object.'));
    // A LiveKit TokenSource sends room_name, participant_*, room_config: callwright picks
    // the room, the identity and the agent, so they are ignored; the agent is this
    // server's. /api/session takes an optional `metadata` object for the session.
    const [status, answer, headers] = await createSession(
      path === '/api/session' ? body.metadata : undefined
    );
    if (status !== 200 || path === '/api/session') return send(res, status, answer, headers);
    return send(res, 200, {
      server_url: answer.livekit_url,
      participant_token: answer.token,
      room_name: answer.room_name,
      session_id: answer.session_id,
    });
  }
  if (req.method === 'POST' && path === '/api/end') {
    const body = await readJson(req);
    if (
      body === undefined ||
      typeof body.session_id !== 'string' ||
      !SESSION_ID.test(body.session_id)
    )
      return send(
        res,
        400,
        error(400, 'invalid_request', 'The body must be {"session_id": "ses_…"}.')
      );
    const [status, answer, headers] = await endSession(body.session_id);
    if (status !== 200) return send(res, status, answer, headers);
    // Not the whole session (its transcript, usage, metadata): the page needs none of it.
    return send(res, 200, {
      session_id: answer.id,
      status: answer.status,
      end_reason: answer.end_reason,
    });
  }
  if (req.method === 'GET' && STATIC_DIR) return serveStatic(req, res);
  send(res, 404, error(404, 'not_found', 'Not found.'));
});

server.listen(PORT, HOST, () =>
  console.log(`listening on http://${HOST}:${server.address().port}`)
);
