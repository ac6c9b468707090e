// The Look-inside views' status lines (role status, so a screen reader hears them) and their requests to the
// engine: an engine error becomes a sentence in the view's own status line instead of an exception.

const $ = (id) => document.getElementById(id);

export const say = (id, text) => { $(id).textContent = text; };

// "no model yet: press Train" -> "No model yet: press Train."
export function sentence(s) {
  const t = String(s).trim();
  return (t[0] || '').toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.');
}

// request(op, args) -> the reply, or null after saying what went wrong in statusId. A request dropped because the
// model was reset (e.reset) says nothing: the reset itself is what the person sees.
export async function askOrSay(request, op, args, statusId) {
  try {
    return await request(op, args);
  } catch (e) {
    say(statusId, e.reset ? '' : sentence(e.message));
    return null;
  }
}
