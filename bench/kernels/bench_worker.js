// Classic worker around the emscripten web build of bench_kernels: forwards stdout lines to the page and
// says when main() has returned.
self.onmessage = (e) => {
  self.Module = {
    arguments: e.data.args,
    print: (line) => postMessage({ line }),
    printErr: (line) => postMessage({ line: 'stderr: ' + line }),
    postRun: [() => postMessage({ done: true })],
  };
  importScripts('bench_kernels.js');
};
