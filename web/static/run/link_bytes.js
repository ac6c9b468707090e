// The bytes side of share links: base64url and deflate-raw (the browser's CompressionStream) with a cap on
// inflating, and the error every link reader throws. DOM-free (runs under node); link_schema.js re-exports these.
export class LinkError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'LinkError';
    this.code = code;   // not_link | version | malformed | too_large | corrupt | invalid_settings
  }
}

// --- base64url ------------------------------------------------------------------------------------------------

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; ++i) B64_INDEX[B64.charCodeAt(i)] = i;

export function base64urlEncode(bytes) {
  let out = '';
  const parts = [];
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63];
    if (out.length >= 8192) { parts.push(out); out = ''; }
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += B64[n >> 18] + B64[(n >> 12) & 63];
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63];
  }
  parts.push(out);
  return parts.join('');
}

export function base64urlDecode(s, what = 'the text in the link') {
  if (s.length % 4 === 1) throw new LinkError('corrupt', `${what} is cut off or damaged.`);
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let o = 0, acc = 0, bits = 0;
  for (let i = 0; i < s.length; ++i) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? B64_INDEX[c] : -1;
    if (v < 0) throw new LinkError('corrupt', `${what} holds characters that base64url does not use.`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 255;
    }
    acc &= 0xffff;
  }
  return out.subarray(0, o);
}

// --- compression ----------------------------------------------------------------------------------------------

async function collect(stream, maxBytes) {
  const reader = stream.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) { out.set(c, o); o += c.length; }
  return out;
}

export async function deflate(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return collect(stream, Infinity);
}

// Inflates at most maxBytes; null when the output would be larger (a small link must not expand without bound).
export async function inflate(bytes, maxBytes, what = 'the text in the link') {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  try {
    return await collect(stream, maxBytes);
  } catch {
    throw new LinkError('corrupt', `${what} is cut off or damaged (it does not decompress).`);
  }
}
