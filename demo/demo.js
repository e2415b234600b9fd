// Sandbox page logic: logs the widget's events and picks what the simulated contact center
// does with the next call. A site embedding the widget needs none of this.
const call = document.getElementById('call');
const list = document.getElementById('events');

for (const type of ['c2c-call-start', 'c2c-state-change', 'c2c-connected', 'c2c-ended', 'c2c-error']) {
  call.addEventListener(type, (event) => {
    const item = document.createElement('li');
    const detail = event.detail ?? {};
    const what = type === 'c2c-state-change' ? detail.state : type === 'c2c-error' ? detail.error?.code : '';
    item.textContent = `${new Date().toLocaleTimeString()}  ${type}${what ? `  ${what}` : ''}`;
    list.prepend(item);
  });
}

document.getElementById('scenario').addEventListener('change', async (event) => {
  await fetch('/sandbox/scenario', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scenario: event.target.value }),
  });
});

document.getElementById('vendor').addEventListener('change', (event) => {
  document.getElementById('callback').destination = event.target.value;
});
