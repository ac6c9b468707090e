// Loads the benchmark build, puts the corpus into its file system and runs main() once with the given args.
importScripts('rnnlab_bench_web.js');
onmessage = async (e) => {
  const lines = [];
  try {
    const mod = await createBench({ print: (l) => lines.push(l), printErr: (l) => lines.push('stderr: ' + l) });
    const corpus = new Uint8Array(await (await fetch('corpus.txt')).arrayBuffer());
    mod.FS.writeFile('/corpus.txt', corpus);
    const rc = mod.callMain([...e.data.args, '--corpus', '/corpus.txt']);
    const json = lines.filter((l) => l.startsWith('{')).pop();
    postMessage(json ? { line: json } : { error: `exit ${rc}: ${lines.join(' | ')}` });
  } catch (err) {
    postMessage({ error: String(err && err.message || err) + ' ' + lines.join(' | ') });
  }
};
