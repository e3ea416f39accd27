'use client';

// The starter's components/app/app.tsx after the doc's diff (step 3): the session comes from
// useCallwrightSession; the starter's AgentSessionProvider and ViewController stand here as
// components-react's SessionProvider and a Start / END CALL button.
import { RoomAudioRenderer, SessionProvider, useSessionContext } from '@livekit/components-react';
import { messageOf, useCallwrightSession } from '@/lib/callwright-session';

function ViewController() {
  const session = useSessionContext();
  if (session.isConnected) {
    return <button onClick={() => void session.end()}>END CALL</button>;
  }
  return (
    <button onClick={() => session.start().catch((error) => alert(messageOf(error)))}>Start</button>
  );
}

interface AppProps {
  agentName?: string;
}

export function App({ agentName }: AppProps) {
  const session = useCallwrightSession(
    '/api/token',
    agentName ? { agentName } : undefined,
    '/api/end'
  );

  return (
    <SessionProvider session={session}>
      <main>
        <ViewController />
      </main>
      <RoomAudioRenderer />
    </SessionProvider>
  );
}
