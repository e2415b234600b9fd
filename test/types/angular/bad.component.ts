// Must fail with strictTemplates where bad.component.html's `expect` comments say.
import { Component } from '@angular/core';
import type { QualityWarningDetail } from 'click-to-call';
import { CallStatusDirective, ClickToCallDirective } from 'click-to-call/angular';

@Component({
  selector: 'app-bad',
  imports: [ClickToCallDirective, CallStatusDirective],
  templateUrl: './bad.component.html',
})
export class BadComponent {
  count = 0;
  onQuality(event: CustomEvent<QualityWarningDetail>): void {
    console.log(event.detail.warning);
  }
}
