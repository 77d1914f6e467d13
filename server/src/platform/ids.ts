import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
let lastMs = 0;
let seq = 0;
// One syscall for many ids: randomBytes per id showed up in submit profiles.
let pool = randomBytes(8 * 1024);
let poolOffset = 0;

function randomTail(): Buffer {
  if (poolOffset + 8 > pool.length) {
    pool = randomBytes(8 * 1024);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + 8);
  poolOffset += 8;
  return bytes;
}

/**
 * Time-ordered ids (timestamp, per-millisecond sequence, random tail): sorting by id sorts by creation,
 * which keeps cursor paging stable and makes ids safe to use as collection-name suffixes.
 */
export function newId(): string {
  const now = Date.now();
  if (now === lastMs) seq++;
  else {
    lastMs = now;
    seq = 0;
  }
  const time = now.toString(36).padStart(9, '0');
  const counter = seq.toString(36).padStart(3, '0');
  const bytes = randomTail();
  let tail = '';
  for (const b of bytes) tail += ALPHABET[b % 36];
  return `${time}${counter}${tail}`;
}

/** An unguessable secret (tokens, public links). */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
