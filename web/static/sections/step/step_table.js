// Small tables and number formats for the step-through: every number the view prints goes through num() or sci(),
// every table through table(), so they read the same in every part and scroll inside their box on a phone.

// 0.1234 -> "0.123", -2 -> "−2.000"; very small or large values in exponent form ("1.2e−5").
export function num(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  const a = Math.abs(v);
  const s = a !== 0 && (a < 0.001 || a >= 1e4) ? a.toExponential(1).replace('e-', 'e−').replace('e+', 'e') : a.toFixed(3);
  return (v < 0 ? '−' : '') + s;
}

// Norms and errors: always three significant digits in exponent form, "1.23e−2".
export const sci = (v) => (Number.isFinite(v) ? v.toExponential(2).replace('e+', 'e').replaceAll('-', '−') : '—');

// cells: strings, or { text, className, header: true (a row header) }.
function cell(c, rowHeader) {
  const spec = typeof c === 'object' && c !== null ? c : { text: String(c) };
  const td = document.createElement(spec.header || rowHeader ? 'th' : 'td');
  if (spec.header || rowHeader) td.scope = 'row';
  td.textContent = spec.text;
  if (spec.className) td.className = spec.className;
  if (spec.label) td.setAttribute('aria-label', spec.label);
  return td;
}

// A captioned table inside a box that scrolls sideways by itself (never the page); the first cell of each row is
// its header.
export function table(caption, headers, rows, className = 'step-table') {
  const t = document.createElement('table');
  t.className = className;
  const cap = document.createElement('caption');
  cap.textContent = caption;
  const head = document.createElement('tr');
  for (const h of headers) {
    const th = document.createElement('th');
    th.scope = 'col';
    if (h instanceof Node) th.append(h); else th.textContent = h;
    head.append(th);
  }
  const thead = document.createElement('thead');
  thead.append(head);
  const tbody = document.createElement('tbody');
  for (const r of rows) {
    const tr = document.createElement('tr');
    r.forEach((c, i) => tr.append(cell(c, i === 0)));
    tbody.append(tr);
  }
  t.append(cap, thead, tbody);
  const box = document.createElement('div');
  box.className = 'table-scroll';
  box.append(t);
  return box;
}

// A heading and a short paragraph, the opening of each part of a step's detail.
export function part(title, words) {
  const div = document.createElement('div');
  div.className = 'step-part';
  const h = document.createElement('h4');
  h.textContent = title;
  div.append(h);
  if (words) {
    const p = document.createElement('p');
    p.className = 'hint';
    p.textContent = words;
    div.append(p);
  }
  return div;
}

// Lays a part out as words and equations on the left, numbers (tables, buttons) on the right; one column on a
// narrow screen (step.css).
export function columns(box) {
  const words = document.createElement('div'), nums = document.createElement('div');
  words.className = 'step-words';
  nums.className = 'step-nums';
  for (const child of [...box.children]) {
    if (child.tagName === 'H4') continue;
    const numbers = child.classList.contains('table-scroll') || child.classList.contains('row') || child.tagName === 'FIGURE';
    (numbers ? nums : words).append(child);
  }
  box.append(words, nums);
  box.classList.add('step-columns');
  return box;
}

export function para(text, className = 'step-note') {
  const p = document.createElement('p');
  p.className = className;
  p.textContent = text;
  return p;
}
