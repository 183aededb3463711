/** Reads a ZIP archive (a VSIX) in memory: the central directory, then each entry's stored or deflated bytes. */
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  readonly name: string;
  readonly size: number;
  read(): Buffer;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export function readZip(file: string): Map<string, ZipEntry> {
  const zip = readFileSync(file);
  const bad = (what: string): never => {
    throw new Error(`${file}: not a readable ZIP archive (${what})`);
  };
  // the end-of-central-directory record sits in the last 22 bytes + up to 64 KiB of comment
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === EOCD) { eocd = i; break; }
  }
  if (eocd < 0) bad('no end-of-central-directory record');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || at === 0xffffffff) bad('ZIP64 is not supported');
  const entries = new Map<string, ZipEntry>();
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(at) !== CENTRAL) bad(`central directory entry ${n}`);
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    if (method !== 0 && method !== 8) bad(`${name}: compression method ${method}`);
    const read = (): Buffer => {
      if (zip.readUInt32LE(local) !== LOCAL) bad(`${name}: local header`);
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const raw = zip.subarray(start, start + compressed);
      const bytes = method === 0 ? raw : inflateRawSync(raw);
      if (bytes.length !== size) bad(`${name}: ${bytes.length} bytes, the directory says ${size}`);
      return bytes;
    };
    entries.set(name, { name, size, read });
  }
  return entries;
}
