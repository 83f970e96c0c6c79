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

/** A file's bytes in chunks of up to `chunkBytes`, each in a buffer of its own. */
export async function* readChunks(path: string, chunkBytes: number): AsyncGenerator<Uint8Array, void, undefined> {
  const fd = await openFile(path);
  try {
    for (;;) {
      const buffer = Buffer.allocUnsafeSlow(chunkBytes);
      const n = await readFile(fd, buffer, 0, chunkBytes, null);
      if (n === 0) return;
      yield n === chunkBytes ? buffer : buffer.subarray(0, n);
    }
  } finally {
    await closeFile(fd);
  }
}
