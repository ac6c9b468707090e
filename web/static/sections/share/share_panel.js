// What Share shows: the short link with its QR code and the instant link, each with a sentence saying what it does,
// and the copy to the clipboard. Everything goes in with value / textContent.
//
// The clipboard is written from the click itself: WebKit (Safari) refuses a write that comes after awaiting the
// worker and the compression (NotAllowedError), but takes a ClipboardItem whose text is a promise, resolved later.
// Browsers without ClipboardItem get writeText once the link is made; the Copy buttons stay for every case.
import { QR_MAX_BYTES, drawQr } from './qr.js';

const $ = (id) => document.getElementById(id);
const chars = (n) => n.toLocaleString('en-US');

// Starts a copy of what `link` (a promise of a string, or of null: nothing to copy) resolves to. Must be called in
// the click's own task. Resolves to true once the clipboard holds it, false otherwise.
export function copyFromClick(link) {
  const clip = navigator.clipboard;
  if (!clip) return link.then(() => false);
  const later = () => link.then((url) => (url ? clip.writeText(url).then(() => true, () => false) : false));
  if (typeof ClipboardItem === 'function' && typeof clip.write === 'function') {
    try {
      const blob = link.then((url) => {
        if (!url) throw new Error('no link');
        return new Blob([url], { type: 'text/plain' });
      });
      // Refused (a browser that takes no promise here, or no link): writeText once the link is made, where allowed.
      return clip.write([new ClipboardItem({ 'text/plain': blob })]).then(() => true, later);
    } catch { /* this ClipboardItem takes no promise: copy once the link is made */ }
  }
  return later();
}

export async function copyBox(inputId) {
  const box = $(inputId);
  try {
    await navigator.clipboard.writeText(box.value);
    return true;
  } catch {
    box.focus();
    box.select();
    return false;
  }
}

function showQr(url) {
  const figure = $('share-qr-figure'), note = $('share-qr-note');
  const drawn = url ? drawQr($('share-qr'), url) : { ok: false, bytes: 0 };
  figure.hidden = !drawn.ok;
  note.hidden = drawn.ok || !url;
  note.textContent = drawn.ok ? '' : `No QR code: the short link is ${chars(drawn.bytes)} characters, more than the ` +
    `${chars(QR_MAX_BYTES)} a QR code holds. Send the link itself.`;
  return drawn.ok;
}

// links: makeLinks()'s result. Returns what the tests read: { shortUrl, instantUrl, qr }.
export function showLinks({ short, instant }) {
  $('share-panel').hidden = false;
  $('share-short').value = short.url || '';
  $('share-short').closest('.row').hidden = !short.url;
  $('share-short-note').textContent = short.note || '';
  const qr = showQr(short.url);
  $('share-instant').hidden = !instant;
  const instantUrl = instant && instant.url;
  $('share-url').value = instantUrl || '';
  $('share-instant-row').hidden = !instantUrl;
  $('share-instant-note').textContent = instant ? instant.note || '' : '';
  return { shortUrl: short.url || null, instantUrl: instantUrl || null, qr };
}
