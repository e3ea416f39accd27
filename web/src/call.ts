// One voice call: microphone first (so a refusal costs nothing), then a session from the
// page's backend, then the LiveKit room. What the agent's worker publishes:
// its audio track, transcripts of both sides as text streams on `lk.transcription`, its
// state as the participant attribute `lk.agent.state`, problems as text on `lk.chat`, and
// its tool calls as JSON text on `callwright.tool_call` (one message when a call starts,
// one when it returns: the call's name and status, never its arguments or result).

import {
  DisconnectReason,
  type LocalAudioTrack,
  type Participant,
  type RemoteParticipant,
  type RemoteTrack,
  Room,
  RoomEvent,
  Track,
  createLocalAudioTrack,
} from 'livekit-client';

import {
  type CallCreated,
  type CallEnded,
  PageError,
  type VariableValues,
  endCall,
  endCallAsPageCloses,
  rejoinCall,
  startCall,
} from './api';
import { AudioMeter } from './audio_meter';

export type CallState =
  | 'idle'
  | 'starting'
  | 'connecting'
  | 'waiting_for_agent'
  | 'in_call'
  | 'ending'
  | 'ended'
  | 'failed';

export type AgentState = 'initializing' | 'listening' | 'thinking' | 'speaking' | string;

export type ToolStatus = 'running' | 'done' | 'failed';

export interface Transcript {
  segmentId: string;
  speaker: 'user' | 'agent' | 'tool';
  text: string;
  final: boolean;
  /** Set on a `tool` entry: which tool the agent called and how it is going. */
  tool?: { name: string; status: ToolStatus };
}

/** What the worker sends on TOOL_TOPIC. */
interface ToolCallUpdate {
  call_id: string;
  name: string;
  status: ToolStatus;
}

const TRANSCRIPTION_TOPIC = 'lk.transcription';
const CHAT_TOPIC = 'lk.chat';
const TOOL_TOPIC = 'callwright.tool_call';
const AGENT_STATE = 'lk.agent.state';
const SEGMENT_ID = 'lk.segment_id';
const TRANSCRIPTION_FINAL = 'lk.transcription_final';
// The call this tab is in, kept across a reload (not across tabs or a closed tab).
const CURRENT_CALL = 'callwright.current_session';

export function rememberedCall(): string | null {
  return window.sessionStorage.getItem(CURRENT_CALL);
}

function microphoneError(error: unknown): PageError {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') {
    return new PageError(
      'microphone_denied',
      'Microphone access was denied. Allow the microphone for this page in your browser and call again.',
    );
  }
  if (
    name === 'NotFoundError' ||
    name === 'DevicesNotFoundError' ||
    name === 'OverconstrainedError'
  ) {
    return new PageError(
      'microphone_missing',
      'No microphone was found. Plug one in and call again.',
    );
  }
  if (name === 'NotReadableError' || name === 'TrackStartError') {
    return new PageError(
      'microphone_busy',
      'Your microphone could not be started: another application may be using it.',
    );
  }
  if (!window.isSecureContext) {
    return new PageError(
      'microphone_insecure',
      'The browser only allows the microphone on https:// pages or http://localhost.',
    );
  }
  return new PageError('microphone_failed', 'The microphone could not be started.');
}

export class Call {
  state: CallState = 'idle';
  agentState: AgentState | null = null;
  agentName: string | null = null;
  sessionId: string | null = null;
  roomName: string | null = null;
  startedAt: number | null = null;
  endedAt: number | null = null;
  micPublished = false;
  error: PageError | null = null;
  /** Texts the agent sent on `lk.chat`, e.g. why a provider failed. */
  agentMessages: string[] = [];
  result: CallEnded | null = null;
  transcripts: Transcript[] = [];

  readonly agentMeter: AudioMeter;
  readonly micMeter: AudioMeter;
  private room: Room | null = null;
  private mic: LocalAudioTrack | null = null;
  private audioElements: HTMLMediaElement[] = [];
  private hangingUp = false;
  /** The page is being reloaded or closed: the room is left (the agent waits for a rejoin;
   * a closed tab also ends the call, endAsPageCloses). */
  private leavingPage = false;

  constructor(
    private readonly audioContext: AudioContext,
    private readonly onChange: () => void,
    private readonly onAudioBlocked: (blocked: boolean) => void,
  ) {
    this.agentMeter = new AudioMeter(audioContext);
    this.micMeter = new AudioMeter(audioContext);
  }

  /** Placing or in a call: the Call button is off. */
  get active(): boolean {
    return ['starting', 'connecting', 'waiting_for_agent', 'in_call', 'ending'].includes(
      this.state,
    );
  }

  /** In the room: Hang up is on. */
  get inRoom(): boolean {
    return this.state === 'waiting_for_agent' || this.state === 'in_call';
  }

  /** Place the call. Every failure ends in state `failed` with a message for people. */
  async start(agentId: string, variables: VariableValues = {}): Promise<void> {
    await this.connect(() => startCall(agentId, variables));
  }

  /** Back into the call this tab was in before a reload, with what was said so far; a
   * call that has ended meanwhile leaves the page idle. */
  async resume(sessionId: string): Promise<boolean> {
    let ended = false;
    await this.connect(async () => {
      try {
        const rejoined = await rejoinCall(sessionId);
        this.transcripts = rejoined.transcript.map((said, index) => ({
          segmentId: `before-${index}`,
          speaker: said.speaker,
          text: said.text,
          final: true,
        }));
        return rejoined;
      } catch (error) {
        ended = error instanceof PageError && (error.status === 409 || error.status === 404);
        throw error;
      }
    });
    if (ended) {
      window.sessionStorage.removeItem(CURRENT_CALL);
      this.error = null;
      this.set('idle');
    }
    return !ended;
  }

  /** The tab is closing for good (no reload or navigation follows): end the call now, as
   * Hang up would, instead of leaving it to the rejoin grace. */
  endAsPageCloses(): void {
    if (this.sessionId !== null && this.active && this.state !== 'ending') {
      endCallAsPageCloses(this.sessionId);
    }
  }

  /** The page is going away: leave the room without ending the call. */
  leavePage(): void {
    this.leavingPage = true;
  }

  private async connect(session: () => Promise<CallCreated>): Promise<void> {
    this.set('starting');
    void this.audioContext.resume();
    try {
      try {
        this.mic = await createLocalAudioTrack({
          echoCancellation: true,
          noiseSuppression: true,
          autoGainControl: true,
        });
      } catch (error) {
        throw microphoneError(error);
      }
      this.micMeter.attach(this.mic.mediaStreamTrack);
      this.set('connecting');
      const created = await session();
      this.sessionId = created.session_id;
      this.roomName = created.room_name;
      this.agentName = created.agent_name;
      window.sessionStorage.setItem(CURRENT_CALL, created.session_id);
      this.onChange();
      await this.join(created.livekit_url, created.token);
    } catch (error) {
      await this.fail(error);
    }
  }

  /** Hang up: End Session (deletes the room, settles the charge), then leave. */
  async hangUp(): Promise<void> {
    if (!this.inRoom || this.hangingUp) return;
    this.hangingUp = true;
    this.set('ending');
    try {
      if (this.sessionId !== null) this.result = await endCall(this.sessionId);
    } catch (error) {
      this.error =
        error instanceof PageError ? error : new PageError('internal_error', String(error));
    }
    await this.teardown();
    this.set('ended');
  }

  private async join(url: string, token: string): Promise<void> {
    const room = new Room({ adaptiveStream: false, dynacast: false, disconnectOnPageLeave: true });
    this.room = room;
    room
      .on(RoomEvent.ParticipantConnected, (participant) => this.watchAgent(participant))
      .on(RoomEvent.ParticipantAttributesChanged, (_changed, participant) =>
        this.watchAgent(participant),
      )
      .on(RoomEvent.ParticipantDisconnected, (participant) => {
        if (participant.isAgent && this.state === 'in_call') {
          this.agentState = null;
          this.onChange();
        }
      })
      .on(RoomEvent.TrackSubscribed, (track, _publication, participant) =>
        this.playAgent(track, participant),
      )
      .on(RoomEvent.TrackUnsubscribed, (track) => {
        track.detach().forEach((element) => element.remove());
        this.agentMeter.detach();
      })
      .on(RoomEvent.AudioPlaybackStatusChanged, () => this.onAudioBlocked(!room.canPlaybackAudio))
      .on(RoomEvent.DataReceived, (payload, participant, _kind, topic) => {
        if (topic === CHAT_TOPIC && participant !== undefined) this.agentSaid(decodeChat(payload));
      })
      .on(RoomEvent.Disconnected, (reason) => void this.disconnected(reason));
    room.registerTextStreamHandler(TRANSCRIPTION_TOPIC, (reader, sender) => {
      void this.readTranscript(reader, sender.identity);
    });
    room.registerTextStreamHandler(TOOL_TOPIC, (reader) => {
      void reader.readAll().then((text) => this.toolCall(text));
    });
    room.registerTextStreamHandler(CHAT_TOPIC, (reader, sender) => {
      if (sender.identity === room.localParticipant.identity) return;
      void reader.readAll().then((text) => this.agentSaid(text));
    });

    try {
      await room.connect(url, token);
    } catch {
      throw new PageError(
        'livekit_unreachable',
        `Couldn't reach the call server at ${url}. Check that LiveKit is running and reachable from this browser.`,
      );
    }
    await room.startAudio().catch(() => this.onAudioBlocked(true));
    if (this.mic === null) throw new PageError('microphone_failed', 'The microphone stopped.');
    await room.localParticipant.publishTrack(this.mic, { source: Track.Source.Microphone });
    this.micPublished = true;
    this.startedAt = Date.now();
    this.set('waiting_for_agent');
    for (const participant of room.remoteParticipants.values()) {
      this.watchAgent(participant);
      for (const publication of participant.audioTrackPublications.values()) {
        if (publication.track) this.playAgent(publication.track, participant);
      }
    }
  }

  private watchAgent(participant: Participant): void {
    if (!isAgent(participant)) return;
    const state = participant.attributes[AGENT_STATE];
    if (state !== undefined) this.agentState = state;
    if (this.state === 'waiting_for_agent') this.state = 'in_call';
    this.onChange();
  }

  private playAgent(track: RemoteTrack, participant: RemoteParticipant): void {
    if (track.kind !== Track.Kind.Audio) return;
    const element = track.attach();
    element.dataset.participant = participant.identity;
    document.body.appendChild(element);
    this.audioElements.push(element);
    this.agentMeter.attach(track.mediaStreamTrack);
    this.watchAgent(participant);
  }

  /** A segment is one utterance; the agent streams its words into one stream (deltas),
   * the user's interim transcripts each come as a new stream with the whole text. */
  private async readTranscript(
    reader: AsyncIterable<string> & { info: { id: string; attributes?: Record<string, string> } },
    identity: string,
  ): Promise<void> {
    const attributes = reader.info.attributes ?? {};
    const local = this.room?.localParticipant.identity;
    const entry: Transcript = {
      segmentId: attributes[SEGMENT_ID] ?? reader.info.id,
      speaker: identity === local ? 'user' : 'agent',
      text: '',
      final: false,
    };
    const index = this.transcripts.findIndex((t) => t.segmentId === entry.segmentId);
    if (index >= 0) this.transcripts[index] = entry;
    else this.transcripts.push(entry);
    for await (const chunk of reader) {
      entry.text += chunk;
      this.onChange();
    }
    entry.final = attributes[TRANSCRIPTION_FINAL] === 'true' || entry.speaker === 'agent';
    this.onChange();
  }

  /** A tool call is one transcript entry, updated in place when it returns. */
  private toolCall(text: string): void {
    const update = parseToolCall(text);
    if (update === null) return;
    const entry: Transcript = {
      segmentId: `tool-${update.call_id}`,
      speaker: 'tool',
      text: toolText(update),
      final: update.status !== 'running',
      tool: { name: update.name, status: update.status },
    };
    const index = this.transcripts.findIndex((t) => t.segmentId === entry.segmentId);
    if (index < 0) this.transcripts.push(entry);
    // A late `running` (streams may arrive out of order) never undoes a result.
    else if (this.transcripts[index].final === false || entry.final)
      this.transcripts[index] = entry;
    this.onChange();
  }

  private agentSaid(text: string): void {
    if (text.trim() === '') return;
    this.agentMessages.push(text.trim());
    this.onChange();
  }

  private async disconnected(reason: DisconnectReason | undefined): Promise<void> {
    if (this.hangingUp || !this.inRoom || this.leavingPage) return;
    // The call ended from the other side (agent goodbye, time limit, End Session
    // elsewhere, a provider failure). End Session is idempotent: it reads the outcome.
    this.hangingUp = true;
    this.set('ending');
    if (reason !== DisconnectReason.ROOM_DELETED && reason !== DisconnectReason.CLIENT_INITIATED) {
      this.error = new PageError('disconnected', 'The connection to the call was lost.');
    }
    try {
      if (this.sessionId !== null) this.result = await endCall(this.sessionId);
    } catch (error) {
      this.error ??= error instanceof PageError ? error : null;
    }
    await this.teardown();
    this.set('ended');
  }

  private async fail(error: unknown): Promise<void> {
    this.error =
      error instanceof PageError ? error : new PageError('internal_error', String(error));
    if (this.sessionId !== null) {
      // Release the credit hold of a session we could not use.
      this.result = await endCall(this.sessionId).catch(() => null);
    }
    await this.teardown();
    this.set('failed');
  }

  private async teardown(): Promise<void> {
    this.endedAt ??= Date.now();
    window.sessionStorage.removeItem(CURRENT_CALL);
    // Streams cut short by the room closing never send their final marker.
    for (const entry of this.transcripts) entry.final = true;
    this.agentMeter.detach();
    this.micMeter.detach();
    this.mic?.stop();
    this.mic = null;
    this.micPublished = false;
    for (const element of this.audioElements) element.remove();
    this.audioElements = [];
    const room = this.room;
    this.room = null;
    if (room !== null) await room.disconnect();
  }

  /** Unblocks audio playback after a click (browsers without autoplay permission). */
  async resumeAudio(): Promise<void> {
    await this.audioContext.resume();
    await this.room?.startAudio();
    this.onAudioBlocked(!(this.room?.canPlaybackAudio ?? true));
  }

  private set(state: CallState): void {
    this.state = state;
    this.onChange();
  }
}

function isAgent(participant: Participant): boolean {
  return participant.isAgent || AGENT_STATE in participant.attributes;
}

function parseToolCall(text: string): ToolCallUpdate | null {
  try {
    const parsed = JSON.parse(text) as Partial<ToolCallUpdate>;
    const statuses: unknown[] = ['running', 'done', 'failed'];
    if (
      typeof parsed.call_id === 'string' &&
      typeof parsed.name === 'string' &&
      statuses.includes(parsed.status)
    ) {
      return parsed as ToolCallUpdate;
    }
  } catch {
    // not ours
  }
  return null;
}

function toolText(update: ToolCallUpdate): string {
  switch (update.status) {
    case 'running':
      return `Using ${update.name}…`;
    case 'done':
      return `Used ${update.name}`;
    case 'failed':
      return `${update.name} failed`;
  }
}

function decodeChat(payload: Uint8Array): string {
  const text = new TextDecoder().decode(payload);
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && 'message' in parsed) {
      return String((parsed as { message: unknown }).message);
    }
  } catch {
    // plain text
  }
  return text;
}
