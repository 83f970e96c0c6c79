// The whole-process baseline of `npm run bench:scan`: what a script built on ip-regex does to count the addresses
// in a file (read whole as UTF-8 text, every match counted). `--v4`: IPv4 only. Plain JavaScript, so the process
// starts as fast as ours.
import { readFileSync } from 'node:fs';
import ipRegex from 'ip-regex';

const [file, mode] = process.argv.slice(2);
const re = mode === '--v4' ? ipRegex.v4() : ipRegex();
const text = readFileSync(file, 'utf8');
let n = 0;
for (const _ of text.matchAll(re)) n++;
process.stdout.write(`${n}\n`);
