// A voice call with a callwright agent on @livekit/components-react: a Start button, the
// agent's state, live transcripts and every error told to the user. The page talks only to
// its own backend (examples/node-proxy, or the Next.js route) at /api/token.
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { DisconnectReason, RoomEvent } from 'livekit-client';
import {
  type ReceivedMessage,
  RoomAudioRenderer,
  SessionProvider,
  useAgent,
  useSessionMessages,
} from '@livekit/components-react';
import { messageOf, useCallwrightSession } from './callwright-session';

type Line = { speaker: 'user' | 'agent'; text: string };

function lineOf(message: ReceivedMessage): Line {
  return { speaker: message.type === 'userTranscript' ? 'user' : 'agent', text: message.message };
}

function App() {
  const session = useCallwrightSession('/api/token', {}, '/api/end');
  const agent = useAgent(session);
  const { messages } = useSessionMessages(session);
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const [ended, setEnded] = useState<string | null>(null);

  // A call that ends from the other side (the agent hung up, callwright ended it) is told.
  useEffect(() => {
    const onDisconnected = (reason?: DisconnectReason) => {
      if (reason !== DisconnectReason.CLIENT_INITIATED) setEnded('The call ended.');
    };
    session.room.on(RoomEvent.Disconnected, onDisconnected);
    return () => {
      session.room.off(RoomEvent.Disconnected, onDisconnected);
    };
  }, [session.room]);

  const failure = agent.state === 'failed' ? agent.failureReasons.join(' ') : null;
  const lines = messages.map(lineOf);

  // What the page shows, for tests and debugging.
  useEffect(() => {
    Object.assign(window, {
      exampleRoom: session.room,
      example: {
        connectionState: session.connectionState,
        agentState: agent.state,
        roomName: session.isConnected ? session.room.name : null,
        lines,
        error: error ?? failure,
        ended,
      },
    });
  });

  async function start() {
    setError(null);
    setEnded(null);
    setStarting(true);
    try {
      await session.start();
    } catch (e) {
      setError(messageOf(e));
      await session.end();
    } finally {
      setStarting(false);
    }
  }

  return (
    <SessionProvider session={session}>
      <RoomAudioRenderer />
      <main>
        <h1>Talk to the agent</h1>
        {session.isConnected ? (
          <button id="end" onClick={() => void session.end()}>
            End call
          </button>
        ) : (
          <button id="start" disabled={starting} onClick={() => void start()}>
            {starting ? 'Connecting…' : 'Start call'}
          </button>
        )}
        <p id="state">Agent: {agent.state}</p>
        {(error ?? failure) && (
          <p id="error" role="alert">
            {error ?? failure}
          </p>
        )}
        {ended && <p id="ended">{ended}</p>}
        <ol id="transcript">
          {lines.map((line, i) => (
            <li key={i} className={line.speaker}>
              <b>{line.speaker === 'user' ? 'You' : 'Agent'}:</b> {line.text}
            </li>
          ))}
        </ol>
      </main>
    </SessionProvider>
  );
}

createRoot(document.getElementById('root')!).render(<App />);
