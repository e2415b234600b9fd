// Must fail with strictTemplates where component.html's `expect` comments say.
import { Component, CUSTOM_ELEMENTS_SCHEMA } from '@angular/core';
import type { QualityWarningDetail } from 'click-to-call';

@Component({
  selector: 'app-widget',
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  templateUrl: './component.html',
})
export class WidgetComponent {
  count = 0;
  onQuality(event: CustomEvent<QualityWarningDetail>): void {
    console.log(event.detail.warning);
  }
}
