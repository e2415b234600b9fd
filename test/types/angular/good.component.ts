// Must compile with strictTemplates: the elements as an Angular standalone component uses them.
import { ChangeDetectionStrategy, Component, CUSTOM_ELEMENTS_SCHEMA, ElementRef, signal, viewChild } from '@angular/core';
import type { CallSnapshot, CallStartDetail, ClickToCall, QualityWarningDetail } from 'click-to-call';

@Component({
  selector: 'app-good',
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './good.component.html',
})
export class GoodComponent {
  readonly call = viewChild.required<ElementRef<ClickToCall>>('call');
  readonly snapshot = signal<CallSnapshot | null>(null);
  readonly mode = signal<'webrtc' | 'callback'>('webrtc');
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
