// The strict-CSP demo page: lists every Content Security Policy violation the page reports
// (the end-to-end test reads window.cspViolations). A site embedding the widget needs none of this.
const list = document.getElementById('violations');
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  const violation = {
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
  };
  window.cspViolations.push(violation);
  const item = document.createElement('li');
  item.textContent = `${violation.directive}: ${violation.blocked || violation.sample} (${violation.source}:${violation.line})`;
  list.append(item);
});
