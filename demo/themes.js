// The theme playground: every control writes one custom property (or the layout / scheme) on
// the preview and into the CSS snippet. Styles go through the CSSOM, so a strict CSP allows them.
const call = document.getElementById('call');
const status = document.querySelector('call-status');
const form = document.getElementById('theme');
const output = document.getElementById('css');

/** [property, label, light default] — the defaults in docs/theming.md. */
const COLORS = [
  ['--c2c-accent', 'Accent (call button, focus ring)', '#0b6bcb'],
  ['--c2c-on-accent', 'Text on the accent', '#ffffff'],
  ['--c2c-danger', 'Hang up, errors', '#b3261e'],
  ['--c2c-on-danger', 'Text on hang up', '#ffffff'],
  ['--c2c-secondary-bg', 'Mute, keypad, settings', '#e8eaed'],
  ['--c2c-secondary-fg', 'Their text', '#1f1f1f'],
  ['--c2c-border', 'Field borders', '#767676'],
  ['--c2c-surface', 'Floating panel', '#ffffff'],
  ['--c2c-text', 'Floating panel text', '#1f1f1f'],
  ['--c2c-focus-ring', 'Focus ring', '#0b6bcb'],
];
/** [property, label, min, max, default, unit] */
const SIZES = [
  ['--c2c-radius', 'Button corners', 0, 32, 32, 'px'],
  ['--c2c-field-radius', 'Field and panel corners', 0, 16, 8, 'px'],
  ['--c2c-target-size', 'Smallest button (24 px at least)', 24, 64, 44, 'px'],
  ['--c2c-float-size', 'Floating button', 40, 80, 56, 'px'],
  ['--c2c-float-bottom', 'Floating: from the bottom', 0, 64, 24, 'px'],
  ['--c2c-float-right', 'Floating: from the right', 0, 64, 24, 'px'],
];

const changed = new Map();

function control(fieldset, name, label, attributes) {
  const wrapper = document.createElement('label');
  wrapper.textContent = label + ' ';
  const input = document.createElement('input');
  input.name = name;
  for (const [key, value] of Object.entries(attributes)) input.setAttribute(key, String(value));
  input.addEventListener('input', () => set(name, input.type === 'range' ? input.value + input.dataset.unit : input.value));
  wrapper.append(input);
  fieldset.append(wrapper);
}

for (const [name, label, value] of COLORS) control(document.getElementById('colors'), name, label, { type: 'color', value });
for (const [name, label, min, max, value, unit] of SIZES) {
  control(document.getElementById('sizes'), name, label, { type: 'range', min, max, value, 'data-unit': unit });
}

function set(name, value) {
  changed.set(name, value);
  for (const element of [call, status]) element.style.setProperty(name, value);
  render();
}

form.elements.layout.addEventListener('change', () => {
  call.setAttribute('layout', form.elements.layout.value);
  render();
});
form.elements.locale.addEventListener('change', () => {
  const locale = form.elements.locale.value;
  if (locale) call.setAttribute('locale', locale);
  else call.removeAttribute('locale');
  render();
});
form.elements.scheme.addEventListener('change', () => {
  // The page itself says which schemes it supports; the widget follows what it inherits.
  document.documentElement.style.colorScheme = form.elements.scheme.value;
  render();
});
form.addEventListener('reset', () => {
  for (const name of changed.keys()) for (const element of [call, status]) element.style.removeProperty(name);
  changed.clear();
  call.setAttribute('layout', 'inline');
  call.removeAttribute('locale');
  document.documentElement.style.colorScheme = '';
  // The form's own values are reset after this event.
  setTimeout(render);
});

function render() {
  const locale = call.getAttribute('locale');
  const lines = [`/* <click-to-call layout="${call.getAttribute('layout') ?? 'inline'}"${locale ? ` locale="${locale}"` : ''}> */`];
  const scheme = form.elements.scheme.value;
  if (scheme !== 'light dark') lines.push(`click-to-call, call-status { color-scheme: ${scheme}; }`);
  else lines.push(':root { color-scheme: light dark; } /* your page supports dark: the widget follows */');
  if (changed.size > 0) {
    lines.push('click-to-call, call-status {');
    for (const [name, value] of changed) lines.push(`  ${name}: ${value};`);
    lines.push('}');
  }
  output.textContent = lines.join('\n');
}

document.getElementById('copy').addEventListener('click', async () => {
  const said = document.getElementById('copied');
  try {
    await navigator.clipboard.writeText(output.textContent);
    said.textContent = 'Copied.';
  } catch {
    said.textContent = 'Select the text above and copy it.';
  }
});

render();
