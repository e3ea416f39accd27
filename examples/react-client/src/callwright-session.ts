// useCallwrightSession: LiveKit's useSession, with a callwright session created only when
// the user presses Start, and (given an end URL) ended as soon as the user hangs up. Copy
// this file as is into any @livekit/components-react app (2.9.20 and later, on
// livekit-client 2.17 and later).
//
// Why: useSession fetches a token on mount (prepareConnection) and again each time a call
// ends, and livekit-client's configurable token sources cache the answer (2.23 until the
// token is a minute from expiry; 2.17 in a way that misses the answer of a forced fetch). A
// callwright token is a session (credits held, a worker dispatched, a room that is deleted
// when nobody joins within the join window), so a fetch on mount costs a session and a
// cached token can point at a room that is gone. So useSession gets a fixed token source
// that answers from this hook alone, never caches, and asks nothing of the network: every
// fetch that is not a Start gets a token that is already expired; Start requests a fresh
// session from the endpoint itself and hands it to useSession's connect.
import { useCallback, useEffect, useMemo } from 'react';
import {
  TokenSource,
  type TokenSourceFetchOptions,
  type TokenSourceResponseObject,
} from 'livekit-client';
import {
  type SessionConnectOptions,
  type UseSessionReturn,
  useSession,
} from '@livekit/components-react';

// The endpoint's answer (LiveKit's TokenSource endpoint format; callwright's routes add the
// session's id, which ending it needs).
type EndpointAnswer = {
  server_url: string;
  participant_token: string;
  session_id?: string;
};

function base64url(value: object): string {
  return btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

// Decodable (livekit-client reads `exp`) and expired; the empty server URL makes
// prepareConnection a no-op.
function noCall(): TokenSourceResponseObject {
  const exp = Math.floor(Date.now() / 1000);
  return {
    serverUrl: '',
    participantToken: `${base64url({ alg: 'none' })}.${base64url({ exp })}.`,
  };
}

// What TokenSource.endpoint() sends for these options (its request format, snake_case).
function requestBody(options: TokenSourceFetchOptions): string {
  const agent = {
    ...(options.agentName ? { agent_name: options.agentName } : {}),
    ...(options.agentMetadata ? { metadata: options.agentMetadata } : {}),
  };
  return JSON.stringify({
    room_name: options.roomName,
    participant_name: options.participantName,
    participant_identity: options.participantIdentity,
    participant_metadata: options.participantMetadata,
    participant_attributes: options.participantAttributes ?? {},
    ...(Object.keys(agent).length > 0 ? { room_config: { agents: [agent] } } : {}),
  });
}

// One new session; a refusal throws the same message as TokenSource.endpoint() does
// ("… received <status> / <body>"), which messageOf reads.
async function requestSession(url: string, options: TokenSourceFetchOptions) {
  const answer = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: requestBody(options),
  });
  if (!answer.ok) {
    throw new Error(
      `Error generating token from endpoint ${url}: received ${answer.status} / ${await answer.text()}`
    );
  }
  return (await answer.json()) as EndpointAnswer;
}

export function useCallwrightSession(
  endpointUrl: string,
  fetchOptions: TokenSourceFetchOptions = {},
  // A POST here with {"session_id": …} ends the session (End Session) when the user hangs
  // up; without it the session ends when the worker sees the user gone for the rejoin grace.
  endUrl?: string
): UseSessionReturn {
  const source = useMemo(() => {
    let starting: EndpointAnswer | null = null;
    const tokens = TokenSource.literal(() =>
      starting
        ? { serverUrl: starting.server_url, participantToken: starting.participant_token }
        : noCall()
    );
    return {
      tokens,
      current: null as string | null,
      begin(answer: EndpointAnswer) {
        starting = answer;
        this.current = answer.session_id ?? null;
      },
      done() {
        starting = null;
      },
    };
  }, []);

  const session = useSession(source.tokens);
  const { start: startSession, end: endSession } = session;
  const options = JSON.stringify(fetchOptions);

  // End Session for the session this page started last, once (a hang-up, a failed join).
  const endStarted = useCallback(async () => {
    const sessionId = source.current;
    source.current = null;
    if (!endUrl || !sessionId) return;
    await fetch(endUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ session_id: sessionId }),
      keepalive: true,
    }).catch((error: unknown) => console.warn('ending the session failed', error));
  }, [source, endUrl]);

  // The page going away (a closed tab, a reload, a navigation) ends its session at once:
  // useSession cannot rejoin a call after the page reloads, so the rejoin grace would only
  // hold the session for nobody. The keepalive POST outlives the page.
  useEffect(() => {
    const leave = (event: PageTransitionEvent) => {
      if (!event.persisted) void endStarted();
    };
    window.addEventListener('pagehide', leave);
    return () => window.removeEventListener('pagehide', leave);
  }, [endStarted]);

  const start = useCallback(
    async (connectOptions?: SessionConnectOptions) => {
      source.begin(await requestSession(endpointUrl, JSON.parse(options)));
      try {
        await startSession(connectOptions);
      } catch (error) {
        await endStarted();
        throw error;
      } finally {
        source.done();
      }
    },
    [source, endpointUrl, options, startSession, endStarted]
  );

  const end = useCallback(async () => {
    await Promise.all([endSession(), endStarted()]);
  }, [endSession, endStarted]);

  return useMemo(() => ({ ...session, start, end }), [session, start, end]);
}

// The message to show for a failed Start: callwright's error.message when the endpoint
// passed its error body on (the thrown message ends "received <status> / <body>").
export function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const body = /received \d+ \/ ([\s\S]*)$/.exec(text)?.[1];
  if (body) {
    try {
      const parsed = JSON.parse(body) as { error?: { message?: string } };
      if (parsed.error?.message) return parsed.error.message;
    } catch {
      // not JSON: fall through to the raw text
    }
  }
  return text;
}
