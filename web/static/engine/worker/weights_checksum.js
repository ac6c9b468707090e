// A checksum of the model's weights, for short links (run/link_recipe.js): the sender puts it in the link, and the
// receiver, having trained to the same step, compares. CRC-32 (the IEEE polynomial, as zlib and the engine's
// byteio.hpp use) over the weights as the engine exports them: the tensor data of its safetensors file, every
// parameter as a little-endian float32 in the engine's block order. The header (names, shapes, vocabulary and
// configuration text) is left out, so the checksum says "the same weights", bit for bit, and nothing else.
const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; ++n) {
    let c = n;
    for (let k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes, crc = 0) {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; ++i) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

// The safetensors bytes -> the CRC-32 of their tensor data (everything after the 8-byte length and the header).
export function tensorDataChecksum(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  return crc32(bytes.subarray(8 + headerLength));
}

// The session's weights checksum, or throws with the engine's message.
export function weightsChecksum(session) {
  const res = session.exportSafetensors();
  if (!res.ok) throw new Error(res.error);
  return tensorDataChecksum(res.bytes);
}
