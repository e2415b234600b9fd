// Must fail with strictTemplates where bad.component.html's `expect` comments say.
import { Component, CUSTOM_ELEMENTS_SCHEMA } from '@angular/core';
import type { QualityWarningDetail } from 'click-to-call';

@Component({
  selector: 'app-bad',
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  templateUrl: './bad.component.html',
})
export class BadComponent {
  count = 0;
  onQuality(event: CustomEvent<QualityWarningDetail>): void {
    console.log(event.detail.warning);
  }
}
