// Yielding to the worker's event loop between training chunks, so pause, sample and look requests are answered.
// A MessageChannel costs microseconds; setTimeout(0) costs ~4 ms in a worker (nested-timer clamp).
export function createYield() {
  const channel = new MessageChannel();
  let wake = null;
  channel.port1.onmessage = () => wake && wake();
  return () => new Promise((resolve) => { wake = resolve; channel.port2.postMessage(0); });
}
