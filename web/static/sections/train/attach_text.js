// Resume for a model loaded without a text (a safetensors file, or a model file saved without its text): the model
// trains on the text on the page. Its vocabulary is its own, so characters of that text outside it are left out of
// training; the worker counts them first. More than Limits.MAX_OUTSIDE_VOCAB of the text (the CLI's threshold):
// refused with the count and an offer to train on the rest anyway; fewer: trained, and the count is said.
//
// Needs: store, client, text (currentText), train: { adoptModel, setState, trainMessage, resume }, hooks:
//   { checkpointNow() } (the kept run must hold the text from now on).
// Gives: trainOnPageText({ allowOutside }).
import { Limits, Rep, Req } from '../../engine/protocol.js';
import { $, sentence } from '../../ui/dom.js';
import { fmtInt } from '../../ui/format.js';

const percent = (part, whole) => `${((100 * part) / Math.max(1, whole)).toFixed(1)}%`;

export function initAttachText({ store, client, text, train, hooks }) {
  const offer = $('outside-vocab-button');

  function refuse({ outside, chars }) {
    train.trainMessage(`${fmtInt(outside)} of the ${fmtInt(chars)} characters of the text above ` +
      `(${percent(outside, chars)}, more than ${percent(Limits.MAX_OUTSIDE_VOCAB, 1)}) are not in the loaded model's ` +
      'vocabulary, so training would leave them out. Train a new model on this text (Reset, then Train), or train ' +
      'this model on the rest of it.');
    offer.hidden = false;
  }

  async function trainOnPageText({ allowOutside = false } = {}) {
    if (store.get().oversize) {
      train.trainMessage('The text is longer than 10 MB: use its first 10 MB (button above) or a shorter text.');
      return;
    }
    train.trainMessage('');
    const { gen } = store.get();
    train.setState('opening');
    let reply;
    try {
      reply = await client.request(Req.ATTACH_TEXT, gen, { ...text.currentText(), allowOutside });
    } catch (e) {
      if (e.reset) return;
      train.setState('paused');
      train.trainMessage(sentence(e.message));
      return;
    }
    if (reply.kind === Rep.OUTSIDE_VOCAB) {
      train.setState('paused');
      refuse(reply);
      return;
    }
    train.adoptModel(reply, { gen, sourceVersion: store.get().sourceVersion, step: reply.step });
    train.setState('paused');
    await hooks.checkpointNow();
    train.resume();
    if (reply.outside > 0) {
      train.trainMessage(`${fmtInt(reply.outside)} of the ${fmtInt(reply.outsideChars)} characters of the text ` +
        `(${percent(reply.outside, reply.outsideChars)}) are not in the model's vocabulary and are left out of training.`,
      'info');
    }
  }

  offer.addEventListener('click', () => {
    $('train-button').focus();   // the button that pauses it once it trains; this one is hidden now
    trainOnPageText({ allowOutside: true });
  });
  return { trainOnPageText };
}
