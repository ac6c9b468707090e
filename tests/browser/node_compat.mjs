// The link codec (web/static/run/link_schema.js) compresses with CompressionStream('deflate-raw'), which every browser
// has but Node 18 (Debian 12's) lacks: its streams know only 'gzip' and 'deflate'. The codec tests run in Node, so
// when the format is missing they get it from node:zlib, behind the same constructor and with the same errors
// (damaged or cut-off input errors the readable side). Imported for its effect by the tests that use the codec.
import { Duplex } from 'node:stream';
import zlib from 'node:zlib';

function hasDeflateRaw() {
  try {
    new CompressionStream('deflate-raw');
    return true;
  } catch {
    return false;
  }
}

function zlibStream(NativeStream, makeZlib) {
  return class {
    constructor(format) {
      if (format !== 'deflate-raw') return new NativeStream(format);
      const { readable, writable } = Duplex.toWeb(makeZlib());
      this.readable = readable;
      this.writable = writable;
    }
  };
}

if (!hasDeflateRaw()) {
  globalThis.CompressionStream = zlibStream(globalThis.CompressionStream, () => zlib.createDeflateRaw());
  globalThis.DecompressionStream = zlibStream(globalThis.DecompressionStream, () => zlib.createInflateRaw());
}
