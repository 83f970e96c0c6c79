// bench:scan's measure of what the machine allows several threads (see KernelThreads in scan.ts): the counting
// kernel, dist/scan.wasm, with nothing of the pool around it (no job messages, no cut points, nothing merged).
// Messages, each answered with a number:
// - { load: Uint8Array }: puts the bytes in the module's memory (answers 0);
// - { reps }: counts those bytes that many times, in memory (answers the matches);
// - { path, start, end }: reads bytes [start, end) of the file into the module's memory, a window at a time, and
//   counts each window as it arrives (answers the matches; an address cut by a window's edge may count differently).
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const module = new WebAssembly.Module(readFileSync(workerData.wasm));
const x = new WebAssembly.Instance(module, { env: { abort: () => { throw new Error('scan.wasm: abort'); } } }).exports;
// The window of the product's reads (WASM_CHUNK_BYTES in src/core/ip/wasmCount.ts).
const WINDOW = 1 << 20;
const base = x.reserve(WINDOW + 4096);
const memory = new Uint8Array(x.memory.buffer);
let length = 0;

function countFile(path, start, end) {
  const fd = openSync(path, 'r');
  try {
    let total = 0;
    for (let at = start; at < end; ) {
      const n = readSync(fd, memory, base, Math.min(WINDOW, end - at), at);
      if (n === 0) break;
      total += x.count(base, base + n, base + n);
      at += n;
    }
    return total;
  } finally {
    closeSync(fd);
  }
}

parentPort.on('message', (m) => {
  if (m.load) {
    length = Math.min(m.load.length, WINDOW);
    memory.set(m.load.subarray(0, length), base);
    parentPort.postMessage(0);
  } else if (m.path) parentPort.postMessage(countFile(m.path, m.start, m.end));
  else {
    let total = 0;
    for (let k = 0; k < m.reps; k++) total += x.count(base, base + length, base + length);
    parentPort.postMessage(total);
  }
});
