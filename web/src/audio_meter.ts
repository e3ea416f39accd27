// Loudness of a MediaStreamTrack, measured in the page with the Web Audio API: an
// AnalyserNode on the track's MediaStream, sampled every 50 ms, as RMS of the waveform
// (0 = silence, 1 = full scale). The analyser is not connected to the speakers: the
// track plays through its own <audio> element (Chrome only feeds a remote WebRTC track
// into Web Audio while it is also attached to a media element).

const SAMPLE_EVERY_MS = 50;

export class AudioMeter {
  private analyser: AnalyserNode | null = null;
  private source: MediaStreamAudioSourceNode | null = null;
  private timer: number | null = null;
  private samples: Float32Array<ArrayBuffer> = new Float32Array(0);
  /** The RMS of the last 50 ms window. */
  level = 0;
  /** The highest `level` since the meter was attached. */
  peak = 0;

  constructor(private readonly context: AudioContext) {}

  attach(track: MediaStreamTrack): void {
    this.detach();
    this.source = this.context.createMediaStreamSource(new MediaStream([track]));
    this.analyser = this.context.createAnalyser();
    this.analyser.fftSize = 2048;
    this.samples = new Float32Array(this.analyser.fftSize);
    this.source.connect(this.analyser);
    this.timer = window.setInterval(() => this.sample(), SAMPLE_EVERY_MS);
  }

  detach(): void {
    if (this.timer !== null) window.clearInterval(this.timer);
    this.timer = null;
    this.source?.disconnect();
    this.source = null;
    this.analyser = null;
    this.level = 0;
  }

  private sample(): void {
    if (this.analyser === null) return;
    this.analyser.getFloatTimeDomainData(this.samples);
    let sum = 0;
    for (const value of this.samples) sum += value * value;
    this.level = Math.sqrt(sum / this.samples.length);
    this.peak = Math.max(this.peak, this.level);
  }
}
