// Small DOM helpers every section uses. Text from a person, a file or a link only ever goes in with textContent.
export const $ = (id) => document.getElementById(id);

const capitalize = (s) => (s ? s[0].toUpperCase() + s.slice(1) : s);

// An engine message ("the text is empty") as a sentence for the page ("The text is empty.").
export const sentence = (s) => {
  const t = capitalize(String(s).trim());
  return /[.!?]$/.test(t) ? t : t + '.';
};

// A message box: boxId is shown or hidden, its text (or textId's) set, styled as an error or as information.
export function showMessage(boxId, textId, text, kind = 'error') {
  const box = $(boxId);
  box.hidden = !text;
  box.classList.toggle('error', kind === 'error');
  box.classList.toggle('info', kind === 'info');
  $(textId || boxId).textContent = text || '';
}

// Hands bytes to the browser as a download.
export function download(bytes, name, type) {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
