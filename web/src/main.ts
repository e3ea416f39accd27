// The page: pick an agent, call it, talk, hang up. Rendering is plain DOM; the call's
// logic lives in call.ts. `window.callwright` exposes a read-only status for tests and
// for anyone debugging a call from the console.

import { type PageConfig, type VariableValues, loadConfig } from './api';
import { Call, rememberedCall } from './call';
import { wireConnectionTest } from './connection_test';
import { exposeStatus } from './status';

const STATE_LABELS: Record<string, string> = {
  idle: 'Ready to call',
  starting: 'Asking for your microphone…',
  connecting: 'Connecting…',
  waiting_for_agent: 'Connected, waiting for the agent…',
  in_call: 'In call',
  ending: 'Hanging up…',
  ended: 'Call ended',
  failed: 'Call failed',
};

const AGENT_STATE_LABELS: Record<string, string> = {
  initializing: 'Agent is getting ready',
  listening: 'Listening',
  thinking: 'Thinking',
  speaking: 'Speaking',
};

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`#${id} is missing from index.html`);
  return element as T;
}

function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const minutes = Math.floor(whole / 60);
  return `${String(minutes).padStart(2, '0')}:${String(whole % 60).padStart(2, '0')}`;
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

class Page {
  private config: PageConfig | null = null;
  private call: Call | null = null;
  private audioContext: AudioContext | null = null;
  private readonly ui = {
    notices: byId<HTMLElement>('notices'),
    orb: byId<HTMLElement>('orb'),
    callState: byId<HTMLElement>('call-state'),
    agentState: byId<HTMLElement>('agent-state'),
    timer: byId<HTMLElement>('timer'),
    agent: byId<HTMLSelectElement>('agent'),
    variables: byId<HTMLElement>('variables'),
    callButton: byId<HTMLButtonElement>('call'),
    hangupButton: byId<HTMLButtonElement>('hangup'),
    micLevel: byId<HTMLElement>('mic-level'),
    agentLevel: byId<HTMLElement>('agent-level'),
    enableAudio: byId<HTMLButtonElement>('enable-audio'),
    alert: byId<HTMLElement>('alert'),
    agentMessages: byId<HTMLElement>('agent-messages'),
    result: byId<HTMLElement>('result'),
    transcript: byId<HTMLOListElement>('transcript'),
  };

  async init(): Promise<void> {
    exposeStatus(() => ({ call: this.call, config: this.config }));
    wireConnectionTest(
      byId<HTMLButtonElement>('test-connection'),
      byId<HTMLElement>('connection-checks'),
    );
    this.ui.callButton.addEventListener('click', () => void this.placeCall());
    this.ui.hangupButton.addEventListener('click', () => void this.call?.hangUp());
    this.ui.enableAudio.addEventListener('click', () => void this.call?.resumeAudio());
    this.ui.agent.addEventListener('change', () => {
      this.renderVariables();
      this.render();
    });
    window.setInterval(() => this.renderLive(), 100);
    try {
      this.config = await loadConfig();
    } catch (error) {
      this.config = {
        agents: [],
        missing_keys: [],
        error: {
          type: 'api_error',
          code: 'page_backend_unreachable',
          message: String((error as Error).message),
        },
      };
    }
    this.renderConfig();
    this.render();
    // Before livekit-client's own handlers (it disconnects on `beforeunload`): a reload
    // or a navigation leaves the call, to be rejoined. A closed tab ends it: `pageswap`
    // comes before `pagehide` for every navigation (a reload too) and never for a tab
    // that closes, so a `pagehide` without one is the tab going for good. A browser
    // without `pageswap` cannot tell: its closed tab's call ends after the rejoin grace
    // (docs/decisions.md#closed-tab-ends-the-call).
    let navigating = false;
    window.addEventListener('pageswap', () => {
      navigating = true;
    });
    for (const event of ['beforeunload', 'pagehide']) {
      window.addEventListener(event, () => this.call?.leavePage());
    }
    window.addEventListener('pagehide', (event) => {
      if (!navigating && !event.persisted && 'onpageswap' in window) {
        this.call?.endAsPageCloses();
      }
    });
    const remembered = rememberedCall();
    if (remembered !== null) await this.resumeCall(remembered);
  }

  /** After a reload mid-call: back into the same call (the agent waits for us). */
  private async resumeCall(sessionId: string): Promise<void> {
    this.audioContext ??= new AudioContext();
    this.call = this.newCall(this.audioContext);
    if (!(await this.call.resume(sessionId))) this.call = null;
    this.render();
  }

  private newCall(audioContext: AudioContext): Call {
    return new Call(
      audioContext,
      () => this.render(),
      (blocked) => {
        this.ui.enableAudio.hidden = !blocked;
      },
    );
  }

  private async placeCall(): Promise<void> {
    const agentId = this.ui.agent.value;
    if (agentId === '' || this.call?.active) return;
    // Created inside the click, so the browser lets it play and measure audio.
    this.audioContext ??= new AudioContext();
    this.call = this.newCall(this.audioContext);
    await this.call.start(agentId, this.variableValues());
  }

  /** One input per declared variable of the chosen agent, prefilled with its default. */
  private renderVariables(): void {
    const agent = this.config?.agents.find((a) => a.id === this.ui.agent.value);
    this.ui.variables.replaceChildren(
      ...(agent?.variables ?? []).map((field) => {
        const label = element('label', 'variable', `${field.name}${field.required ? ' *' : ''}`);
        const input = document.createElement('input');
        input.name = field.name;
        input.dataset.type = field.type;
        input.type =
          field.type === 'boolean' ? 'checkbox' : field.type === 'number' ? 'number' : 'text';
        if (field.type === 'boolean') input.checked = field.default === true;
        else input.value = field.default === null ? '' : String(field.default);
        input.placeholder = field.description ?? '';
        label.append(input);
        return label;
      }),
    );
  }

  /** The form's values, typed; an empty optional field is left out (its default applies). */
  private variableValues(): VariableValues {
    const values: VariableValues = {};
    for (const input of this.ui.variables.querySelectorAll('input')) {
      if (input.dataset.type === 'boolean') values[input.name] = input.checked;
      else if (input.value === '') continue;
      else if (input.dataset.type === 'number') values[input.name] = Number(input.value);
      else values[input.name] = input.value;
    }
    return values;
  }

  private renderConfig(): void {
    const {
      agents,
      missing_keys: missingKeys,
      error,
    } = this.config ?? {
      agents: [],
      missing_keys: [],
      error: null,
    };
    this.ui.notices.replaceChildren();
    if (error !== null) {
      this.ui.notices.append(element('div', 'notice notice-error', error.message));
    }
    // Warn about the keys the listed agents need; with no agent yet, about every key.
    const needed = new Set(agents.flatMap((agent) => agent.missing_keys));
    const shown =
      agents.length === 0 ? missingKeys : missingKeys.filter((key) => needed.has(key.name));
    if (shown.length > 0) {
      const notice = element('div', 'notice notice-warning');
      notice.append(element('strong', '', 'Provider keys missing. '));
      notice.append(
        'Calls to agents that need them will end with a provider error until you add them to ',
        element('code', '', '.env'),
        ' and restart ',
        element('code', '', 'make run'),
        ':',
      );
      const list = element('ul', 'missing-keys');
      for (const key of shown) {
        const item = element('li', '');
        item.append(element('code', '', key.name), ` for ${key.needed_for}`);
        list.append(item);
      }
      notice.append(list);
      notice.dataset.missingKeys = shown.map((key) => key.name).join(',');
      this.ui.notices.append(notice);
    }
    this.ui.agent.replaceChildren();
    for (const agent of agents) {
      const needs = agent.missing_keys.length ? ` (needs ${agent.missing_keys.join(', ')})` : '';
      const option = element('option', '', `${agent.name} · ${agent.architecture}${needs}`);
      option.value = agent.id;
      this.ui.agent.append(option);
    }
    this.renderVariables();
    if (agents.length === 0 && error === null) {
      this.ui.notices.append(
        element('div', 'notice notice-info', 'This organization has no voice agents yet.'),
      );
    }
  }

  private render(): void {
    const call = this.call;
    const state = call?.state ?? (this.config === null ? 'loading' : 'idle');
    const hasAgents = (this.config?.agents.length ?? 0) > 0;
    const active = call?.active ?? false;

    this.ui.callState.textContent =
      state === 'loading'
        ? 'Loading agents…'
        : hasAgents || call
          ? STATE_LABELS[state]
          : 'No agent to call';
    this.ui.callState.dataset.state = state;
    this.ui.agent.disabled = active || !hasAgents;
    this.ui.callButton.disabled = active || !hasAgents;
    this.ui.callButton.hidden = call?.inRoom ?? false;
    this.ui.callButton.textContent = call && !active ? 'Call again' : 'Call';
    this.ui.hangupButton.hidden = !(call?.inRoom ?? false);

    const agentState = call?.inRoom ? call.agentState : null;
    this.ui.agentState.hidden = agentState === null;
    this.ui.agentState.textContent = agentState
      ? (AGENT_STATE_LABELS[agentState] ?? agentState)
      : '';
    this.ui.agentState.dataset.state = agentState ?? '';
    this.ui.orb.dataset.state = agentState ?? state;

    const error = call?.error ?? null;
    this.ui.alert.hidden = error === null;
    this.ui.alert.textContent = error?.message ?? '';
    this.ui.alert.dataset.code = error?.code ?? '';

    this.ui.agentMessages.replaceChildren(
      ...(call?.agentMessages ?? []).map((text) => {
        const item = element('li', 'agent-message');
        item.append(element('strong', '', `${call?.agentName ?? 'The agent'} says: `), text);
        return item;
      }),
    );

    const result = call?.result ?? null;
    this.ui.result.hidden = result === null || active;
    if (result !== null) {
      const credits = result.credits_charged === 1 ? 'credit' : 'credits';
      this.ui.result.replaceChildren(
        element('span', 'result-label', 'Call summary'),
        element('span', 'result-item', `Billed time ${formatDuration(result.duration_seconds)}`),
        element('span', 'result-item', `${result.credits_charged} ${credits} charged`),
      );
      this.ui.result.dataset.durationSeconds = String(result.duration_seconds);
      this.ui.result.dataset.creditsCharged = String(result.credits_charged);
    }
    this.renderTranscript();
    this.renderLive();
  }

  private renderTranscript(): void {
    const transcripts = this.call?.transcripts ?? [];
    if (transcripts.length === 0) {
      this.ui.transcript.replaceChildren(
        element('li', 'empty', 'What you and the agent say will appear here.'),
      );
      return;
    }
    const agentName = this.call?.agentName ?? 'Agent';
    this.ui.transcript.replaceChildren(
      ...transcripts
        .filter((entry) => entry.text.trim() !== '')
        .map((entry) => {
          if (entry.tool !== undefined) {
            const item = element('li', `line line-tool tool-${entry.tool.status}`);
            item.dataset.tool = entry.tool.name;
            item.append(element('span', 'bubble', entry.text));
            return item;
          }
          const item = element('li', `line line-${entry.speaker}${entry.final ? '' : ' interim'}`);
          item.append(
            element('span', 'speaker', entry.speaker === 'user' ? 'You' : agentName),
            element('span', 'bubble', entry.text),
          );
          return item;
        }),
    );
    this.ui.transcript.scrollTop = this.ui.transcript.scrollHeight;
  }

  /** What changes continuously: the timer and the audio meters. */
  private renderLive(): void {
    const call = this.call;
    const startedAt = call?.startedAt ?? null;
    this.ui.timer.hidden = startedAt === null;
    if (startedAt !== null) {
      this.ui.timer.textContent = formatDuration(
        ((call?.endedAt ?? Date.now()) - startedAt) / 1000,
      );
    }
    if (
      call?.state === 'waiting_for_agent' &&
      startedAt !== null &&
      Date.now() - startedAt > 15_000
    ) {
      this.ui.callState.textContent = 'Still waiting for the agent… is the worker running?';
    }
    const scale = (level: number): string => `${Math.min(100, Math.round(level * 400))}%`;
    this.ui.micLevel.style.width = scale(call?.micMeter.level ?? 0);
    this.ui.agentLevel.style.width = scale(call?.agentMeter.level ?? 0);
    const agentLevel = call?.agentMeter.level ?? 0;
    this.ui.orb.style.setProperty('--level', String(Math.min(1, agentLevel * 4)));
  }
}

void new Page().init();
