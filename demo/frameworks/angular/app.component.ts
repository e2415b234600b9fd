import { ChangeDetectionStrategy, Component, ElementRef, computed, signal, viewChild } from '@angular/core';
import type { CallMode, CallSnapshot, ClickToCall } from 'click-to-call';
import { CLICK_TO_CALL_DIRECTIVES } from 'click-to-call/angular';

const FINAL = new Set(['idle', 'ended', 'scheduled', 'failed']);

@Component({
  selector: 'app-root',
  // The package's directives match both tags: strictTemplates checks their property bindings
  // (`[mode]`), and the events are typed by HTMLElementEventMap. No CUSTOM_ELEMENTS_SCHEMA, so
  // a binding to a property the elements lack (or to the read-only `state`) fails the build.
  imports: [CLICK_TO_CALL_DIRECTIVES],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './app.component.html',
})
export class AppComponent {
  private readonly call = viewChild.required<ElementRef<ClickToCall>>('call');
  protected readonly mode: CallMode = 'webrtc';
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
