import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Re-renders its host once a second while `running()` says so; stops with the host. */
export class ClockController implements ReactiveController {
  #timer: ReturnType<typeof setInterval> | undefined;
  now = Date.now();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly running: () => boolean,
  ) {
    host.addController(this);
  }

  hostUpdate(): void {
    this.now = Date.now();
  }

  hostUpdated(): void {
    this.#sync();
  }

  hostDisconnected(): void {
    this.#stop();
  }

  #sync(): void {
    if (this.running()) {
      this.#timer ??= setInterval(() => {
        this.now = Date.now();
        this.host.requestUpdate();
      }, 1000);
    } else {
      this.#stop();
    }
  }

  #stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  get isRunning(): boolean {
    return this.#timer !== undefined;
  }
}
