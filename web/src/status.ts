// `window.callwright`: a read-only view of the page for tests and the console. Every
// read returns a fresh copy, so nothing outside the page can change the call.
//
//   state             idle | starting | connecting | waiting_for_agent | in_call | ending | ended | failed
//   agentState        lk.agent.state of the agent participant (listening, thinking, speaking) or null
//   sessionId         ses_… of the current call
//   micPublished      the microphone track is published in the room
//   transcripts       [{segmentId, speaker: "user" | "agent" | "tool", text, final, tool?}]
//                     (a tool entry: tool = {name, status: running | done | failed})
//   agentAudioLevel   RMS of the agent's audio over the last 50 ms (Web Audio AnalyserNode)
//   agentAudioPeak    the highest agentAudioLevel of this call
//   micAudioLevel     the same for the microphone
//   error             {code, message} shown to the user, or null
//   agentMessages     texts the agent sent on lk.chat (e.g. a provider failure)
//   result            End Session's outcome: {status, end_reason, duration_seconds, credits_charged}
//   agents, missingKeys  what /api/config answered

import type { PageConfig } from './api';
import type { Call } from './call';

declare global {
  interface Window {
    callwright: Readonly<Record<string, unknown>>;
  }
}

type Source = () => { call: Call | null; config: PageConfig | null };

const copy = <T>(value: T): T =>
  value === null || value === undefined ? value : structuredClone(value);

export function exposeStatus(source: Source): void {
  const status = {
    get state() {
      const { call, config } = source();
      return call?.state ?? (config === null ? 'loading' : 'idle');
    },
    get agentState() {
      return source().call?.agentState ?? null;
    },
    get sessionId() {
      return source().call?.sessionId ?? null;
    },
    get roomName() {
      return source().call?.roomName ?? null;
    },
    get micPublished() {
      return source().call?.micPublished ?? false;
    },
    get transcripts() {
      return copy(source().call?.transcripts ?? []);
    },
    get agentAudioLevel() {
      return source().call?.agentMeter.level ?? 0;
    },
    get agentAudioPeak() {
      return source().call?.agentMeter.peak ?? 0;
    },
    get micAudioLevel() {
      return source().call?.micMeter.level ?? 0;
    },
    get error() {
      const error = source().call?.error ?? null;
      return error === null ? null : { code: error.code, message: error.message };
    },
    get agentMessages() {
      return copy(source().call?.agentMessages ?? []);
    },
    get result() {
      return copy(source().call?.result ?? null);
    },
    get agents() {
      return copy(source().config?.agents ?? []);
    },
    get missingKeys() {
      return (source().config?.missing_keys ?? []).map((key) => key.name);
    },
    get configError() {
      return copy(source().config?.error ?? null);
    },
  };
  Object.defineProperty(window, 'callwright', { value: Object.freeze(status), writable: false });
}
