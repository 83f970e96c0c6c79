// The few file calls the scan path makes, as promises over node:fs callbacks: node:fs/promises and file streams
// load a dozen more modules (readline, every stream class), a noticeable share of `ipinv scan`'s start-up.
import { close, open, read, stat, type Stats } from 'node:fs';

export function statFile(path: string): Promise<Stats> {
  return new Promise((resolve, reject) => stat(path, (e, s) => (e ? reject(e) : resolve(s))));
}

export function openFile(path: string): Promise<number> {
  return new Promise((resolve, reject) => open(path, 'r', (e, fd) => (e ? reject(e) : resolve(fd))));
}

/** Bytes read into `buffer` at `offset`, from `position` (null: the file's current position). */
export function readFile(fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null): Promise<number> {
  return new Promise((resolve, reject) => read(fd, buffer, offset, length, position, (e, n) => (e ? reject(e) : resolve(n))));
}

export function closeFile(fd: number): Promise<void> {
  return new Promise((resolve, reject) => close(fd, (e) => (e ? reject(e) : resolve())));
}

/**
 * A file's bytes in chunks of up to `chunkBytes`. Two buffers take turns: the next read is under way while the
 * consumer works on a chunk, and a chunk is valid only until the consumer asks for the next one.
 */
export async function* readChunks(path: string, chunkBytes: number): AsyncGenerator<Uint8Array, void, undefined> {
  const fd = await openFile(path);
  let pending: Promise<number> | undefined;
  try {
    let current = Buffer.allocUnsafeSlow(chunkBytes);
    let spare = Buffer.allocUnsafeSlow(chunkBytes);
    pending = readFile(fd, current, 0, chunkBytes, null);
    for (;;) {
      const n = await pending;
      pending = undefined;
      if (n === 0) return;
      const chunk = current;
      // The file position moves with each read, so the next one can start now.
      pending = readFile(fd, spare, 0, chunkBytes, null);
      current = spare;
      spare = chunk;
      yield n === chunkBytes ? chunk : chunk.subarray(0, n);
    }
  } finally {
    // A read still in flight must finish before its descriptor closes.
    if (pending) await pending.catch(() => 0);
    await closeFile(fd);
  }
}
