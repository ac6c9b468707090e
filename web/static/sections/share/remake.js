// Opening a short link: the page trains the sender's model again, step for step, with a progress bar under the
// link's message, then compares the weights' checksum with the one in the link and says plainly whether they match.
// Training is deterministic and bit-identical across browsers, so they match unless the page, the preset's text or
// the engine differ from the sender's.
import { fmtInt } from '../../ui/format.js';

const $ = (id) => document.getElementById(id);
const hex = (n) => (n >>> 0).toString(16).padStart(8, '0');

function showProgress(done, total, step) {
  const bar = $('remake-progress');
  bar.max = Math.max(1, total);
  bar.value = Math.min(done, total);
  bar.setAttribute('aria-valuetext', `step ${fmtInt(step)}, ${Math.round((100 * done) / Math.max(1, total))}%`);
  $('remake-text').textContent = `Step ${fmtInt(step)} of ${fmtInt(total)}`;
}

// recipe: the link's (run/link_recipe.js). say(text, kind): the link message. Resolves when done (or failed).
export async function remakeLinkModel(api, recipe, say, range = '') {
  $('remake').hidden = false;
  showProgress(0, recipe.calls, 0);
  say(`Opened a shared model: training it again to step ${fmtInt(recipe.step)}, as the sender did, so that this page ` +
    'holds the very same weights. Training runs in the background; the page stays usable.', 'info');
  const r = await api.remakeModel(recipe, (p) => showProgress(p.done, p.total, p.step));
  if (r.superseded) return;   // the page went on to another link, which has the bar and the message now
  $('remake').hidden = true;
  const result = r.ok ? { step: r.step, crc: hex(r.crc), expected: hex(recipe.crc), matches: r.crc === recipe.crc }
                      : { error: r.message || 'stopped', stopped: Boolean(r.stopped) };
  api.store.update({ remade: result });
  if (r.stopped) {
    say('Stopped training the shared model again. Its text and settings are filled in: press Train to train it ' +
      'anew, or open the link again to make the sender\'s model.' + range, 'info');
    // The Stop button is gone: focus goes to the message saying what happened, not to the top of the page.
    $('link-message').tabIndex = -1;
    $('link-message').focus();
  } else if (!r.ok) {
    say(`Opened a shared experiment, but its model could not be trained again: ${r.message} Its text and settings ` +
      'are filled in: press Train to train it.' + range, 'error');
  } else if (result.matches) {
    say(`Trained the shared model again to step ${fmtInt(r.step)}: its weights match the sender's bit for bit ` +
      `(checksum ${result.crc}). Press Sample: the same seed gives the sender's sample. Resume trains it further.` + range, 'info');
  } else {
    say(`Trained the shared model again to step ${fmtInt(r.step)}, but its weights differ from the sender's ` +
      `(checksum ${result.crc}, the link says ${result.expected}), so its samples may differ too. This happens when ` +
      'the link was changed, or the sender\'s page was another version of rnnlab. The instant link or a model ' +
      'file from the sender carries the exact weights.' + range, 'error');
  }
}
