import { ChangeDetectionStrategy, Component, CUSTOM_ELEMENTS_SCHEMA, ElementRef, computed, signal, viewChild } from '@angular/core';
import type { CallSnapshot, ClickToCall } from 'click-to-call';

const FINAL = new Set(['idle', 'ended', 'scheduled', 'failed']);

@Component({
  selector: 'app-root',
  // Lets the template use <click-to-call> and <call-status>; their events are still typed
  // (strictTemplates reads HTMLElementEventMap), their property bindings are not.
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './app.component.html',
})
export class AppComponent {
  private readonly call = viewChild.required<ElementRef<ClickToCall>>('call');
  // The call as Angular knows it: only what the typed events told us.
  protected readonly snapshot = signal<CallSnapshot | null>(null);
  protected readonly changes = signal(0);
  protected readonly live = computed(() => {
    const s = this.snapshot();
    return s !== null && !FINAL.has(s.state);
  });

  protected onStateChange(event: CustomEvent<CallSnapshot>): void {
    this.snapshot.set(event.detail);
    this.changes.update((n) => n + 1);
  }

  protected onError(event: CustomEvent<CallSnapshot>): void {
    console.warn('call failed:', event.detail.error?.code);
  }

  protected hangup(): void {
    void this.call().nativeElement.hangup();
  }
}
