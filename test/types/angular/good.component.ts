// Must compile with strictTemplates: the elements as an Angular standalone component uses them,
// with the package's directives typing their property bindings (no CUSTOM_ELEMENTS_SCHEMA).
import { ChangeDetectionStrategy, Component, ElementRef, signal, viewChild } from '@angular/core';
import type { CallSnapshot, CallStartDetail, ClickToCall, QualityWarningDetail } from 'click-to-call';
import { CLICK_TO_CALL_DIRECTIVES } from 'click-to-call/angular';

@Component({
  selector: 'app-good',
  imports: [CLICK_TO_CALL_DIRECTIVES],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './good.component.html',
})
export class GoodComponent {
  readonly call = viewChild.required<ElementRef<ClickToCall>>('call');
  readonly snapshot = signal<CallSnapshot | null>(null);
  readonly mode = signal<'webrtc' | 'callback'>('webrtc');
  readonly endpoint = 'https://shop.example/c2c';
  onStart(event: CustomEvent<CallStartDetail>): void {
    if (event.detail.destination === 'closed') event.preventDefault();
  }
  onState(event: CustomEvent<CallSnapshot>): void {
    this.snapshot.set(event.detail);
  }
  onError(event: CustomEvent<CallSnapshot>): void {
    console.log(event.detail.error?.code);
  }
  onQuality(event: CustomEvent<QualityWarningDetail>): void {
    console.log(event.detail.warning, event.detail.active);
  }
  hangup(): void {
    void this.call().nativeElement.hangup();
  }
}
