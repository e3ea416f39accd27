// useCallwrightSession: LiveKit's useSession, with a callwright session created only when
// the user presses Start. Copy this file as is into any @livekit/components-react app.
//
// Why: useSession fetches a token on mount (prepareConnection) and again, forced, each time
// a call ends; livekit-client caches the answer until the token is a minute from expiry.
// A callwright token is a session (credits held, a worker dispatched, a room that is
// deleted when nobody joins within the join window), so a fetch on mount costs a session
// and a cached token can point at a room that is gone. Here every fetch that is not a Start
// is answered locally with a token that is already expired: no request, nothing cached;
// Start fetches a fresh session and connects with it at once.
import { useCallback, useMemo } from 'react';
import {
  TokenSource,
  type TokenSourceFetchOptions,
  type TokenSourceResponseObject,
} from 'livekit-client';
import {
  useSession,
  type SessionConnectOptions,
  type UseSessionReturn,
} from '@livekit/components-react';

function base64url(value: object): string {
  return btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

// Decodable (livekit-client reads `exp`) and expired, so the cache never returns it; the
// empty server URL makes prepareConnection a no-op.
function noCall(): TokenSourceResponseObject {
  const exp = Math.floor(Date.now() / 1000);
  return {
    serverUrl: '',
    participantToken: `${base64url({ alg: 'none' })}.${base64url({ exp })}.`,
  };
}

export function useCallwrightSession(
  endpointUrl: string,
  fetchOptions: TokenSourceFetchOptions = {},
): UseSessionReturn {
  const source = useMemo(() => {
    const endpoint = TokenSource.endpoint(endpointUrl);
    let armed = false;
    const tokens = TokenSource.custom(async (options) => {
      if (!armed) return noCall();
      armed = false;
      return endpoint.fetch(options, true);
    });
    return { tokens, arm: () => (armed = true) };
  }, [endpointUrl]);

  const session = useSession(source.tokens, fetchOptions);
  const { start: startSession } = session;

  const start = useCallback(
    async (connectOptions?: SessionConnectOptions) => {
      source.arm();
      // Forced: a new session now, which useSession's own fetch then finds in the cache.
      await source.tokens.fetch(fetchOptions, true);
      await startSession(connectOptions);
    },
    // fetchOptions compared by value, as useSession does.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [source, startSession, JSON.stringify(fetchOptions)],
  );

  return useMemo(() => ({ ...session, start }), [session, start]);
}

// The message to show for a failed Start: callwright's error.message when the endpoint
// passed its error body on (TokenSource.endpoint puts "received <status> / <body>" in it).
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
