// Bytes (or text) to the text pieces the file scanner reads: UTF-8 unless a UTF-16 byte order mark says otherwise,
// ASCII copied as Latin-1 (the same text, far faster than a decoder), in pieces small enough for V8's young
// generation: a string above ~128 KiB goes to the large-object space, and one per read made every read cost a
// full garbage collection (the streaming scan ran at a third of the in-memory one).
import { isAscii } from 'node:buffer';

/** Bytes per piece while the bytes are ASCII (one-byte strings: 64 KiB of heap). */
export const ASCII_PIECE_BYTES = 1 << 16;
/** Bytes per piece through the decoder, and characters per piece of text sources (two-byte strings: 64 KiB). */
export const TEXT_PIECE_UNITS = 1 << 15;

/**
 * Turns a byte or text stream into text pieces, in order, by push: the same text one decoder makes of all the
 * bytes, however they are chunked. A leading byte order mark is dropped; past the start of the stream a UTF-8
 * mark is an ordinary character. While every byte is ASCII, pieces are Latin-1 copies; the first other byte
 * hands the rest of the stream to a TextDecoder.
 */
export class PieceDecoder {
  private decoder: TextDecoder | undefined;
  private head: Uint8Array | undefined;
  private sawText = false;
  /** The bytes started as ASCII (so UTF-8 without a mark), and all of them so far were. */
  private ascii: boolean;

  /**
   * @param midStream the bytes continue a UTF-8 stream after a line end (a worker's part of a file): no mark is
   * looked for, and a UTF-8 mark is a character.
   */
  constructor(midStream = false) {
    this.ascii = midStream;
    this.sawText = midStream;
  }

  /** Appends the pieces of one chunk to `out`. The chunk's bytes are not kept (its buffer may be reused). */
  push(chunk: Uint8Array | string, out: string[]): void {
    if (typeof chunk === 'string') {
      let text = chunk;
      if (!this.sawText && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      this.sawText = true;
      for (let k = 0; k < text.length; k += TEXT_PIECE_UNITS) out.push(text.slice(k, k + TEXT_PIECE_UNITS));
      return;
    }
    let bytes = chunk;
    if (this.decoder === undefined) {
      if (this.ascii) {
        if (isAscii(bytes)) {
          latin1Pieces(bytes, out);
          return;
        }
        // Past the start of the stream, a UTF-8 mark is an ordinary character: keep it, as the decoder
        // would have had it seen the text before.
        this.decoder = new TextDecoder('utf-8', { ignoreBOM: true });
      } else {
        // Need two bytes to see a UTF-16 mark.
        bytes = this.head ? concat(this.head, bytes) : bytes;
        if (bytes.length < 2) {
          // A copy: the caller may reuse its buffer.
          this.head = bytes.slice();
          return;
        }
        this.head = undefined;
        if (isAscii(bytes)) {
          this.ascii = true;
          latin1Pieces(bytes, out);
          return;
        }
        this.decoder = new TextDecoder(encodingOf(bytes));
      }
    }
    for (let k = 0; k < bytes.length; k += TEXT_PIECE_UNITS) {
      const text = this.decoder.decode(bytes.subarray(k, k + TEXT_PIECE_UNITS), { stream: true });
      if (text.length > 0) out.push(text);
    }
  }

  /** Appends what the decoder still holds (a cut sequence becomes a replacement character). */
  end(out: string[]): void {
    if (this.decoder === undefined && this.head) this.decoder = new TextDecoder('utf-8');
    if (this.decoder) {
      const text = this.decoder.decode(this.head ?? new Uint8Array(0));
      this.head = undefined;
      if (text.length > 0) out.push(text);
    }
  }
}

/** The text pieces of a byte or text stream (see PieceDecoder). */
export async function* decodePieces(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<string, void, undefined> {
  const decoder = new PieceDecoder();
  const out: string[] = [];
  for await (const chunk of source) {
    decoder.push(chunk, out);
    for (const piece of out) yield piece;
    out.length = 0;
  }
  decoder.end(out);
  yield* out;
}

/** UTF-16 when the bytes start with its mark, else UTF-8. */
export function encodingOf(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | 'utf-8' {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return 'utf-8';
}

/**
 * Latin-1 pieces of ASCII bytes, each ending after the last line feed in its ASCII_PIECE_BYTES when there is one: the
 * file scanner then finds the next piece starting a line and takes it as it is (the text it keeps ends at a break).
 */
function latin1Pieces(bytes: Uint8Array, out: string[]): void {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let k = 0; k < buf.length; ) {
    let end = Math.min(buf.length, k + ASCII_PIECE_BYTES);
    if (end < buf.length) {
      const nl = buf.lastIndexOf(10, end - 1);
      if (nl >= k) end = nl + 1;
    }
    out.push(buf.toString('latin1', k, end));
    k = end;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
