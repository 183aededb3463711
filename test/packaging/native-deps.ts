/**
 * The shared libraries a native binary loads and where the loader looks for them: ELF DT_NEEDED with
 * DT_RUNPATH / DT_RPATH (64-bit little-endian), Mach-O LC_LOAD_DYLIB and its kin with LC_RPATH
 * (64-bit, one architecture). Enough to tell whether a packaged binary finds the libraries packaged with it.
 */
export interface NativeDeps {
  /** library names as the binary records them (`libonnxruntime.so.1`, `@rpath/libvips-cpp.8.18.7.dylib`) */
  readonly needed: string[];
  /** search paths as recorded (`$ORIGIN/`, `@loader_path/../lib`) */
  readonly searchPaths: string[];
}

const cString = (b: Buffer, at: number): string => {
  const end = b.indexOf(0, at);
  return b.toString('utf8', at, end < 0 ? b.length : end);
};

function elfDeps(b: Buffer, file: string): NativeDeps {
  if (b[4] !== 2 || b[5] !== 1) throw new Error(`${file}: only 64-bit little-endian ELF is read`);
  const phoff = Number(b.readBigUInt64LE(32));
  const phentsize = b.readUInt16LE(54);
  const phnum = b.readUInt16LE(56);
  const segments = Array.from({ length: phnum }, (_, i) => {
    const at = phoff + i * phentsize;
    return { type: b.readUInt32LE(at), offset: Number(b.readBigUInt64LE(at + 8)), vaddr: Number(b.readBigUInt64LE(at + 16)), size: Number(b.readBigUInt64LE(at + 32)) };
  });
  const dynamic = segments.find((s) => s.type === 2);
  if (!dynamic) return { needed: [], searchPaths: [] };
  const entries: Array<[number, number]> = [];
  for (let at = dynamic.offset; at + 16 <= dynamic.offset + dynamic.size; at += 16) {
    const tag = Number(b.readBigInt64LE(at));
    if (tag === 0) break;
    entries.push([tag, Number(b.readBigUInt64LE(at + 8))]);
  }
  // DT_STRTAB is an address: the PT_LOAD segment holding it maps it to a file offset
  const strtabAddr = entries.find(([t]) => t === 5)?.[1];
  const load = segments.find((s) => s.type === 1 && strtabAddr !== undefined && strtabAddr >= s.vaddr && strtabAddr < s.vaddr + s.size);
  if (strtabAddr === undefined || !load) throw new Error(`${file}: no string table for the dynamic section`);
  const str = (v: number) => cString(b, strtabAddr - load.vaddr + load.offset + v);
  return {
    needed: entries.filter(([t]) => t === 1).map(([, v]) => str(v)),
    searchPaths: entries.filter(([t]) => t === 29 || t === 15).flatMap(([, v]) => str(v).split(':')),
  };
}

const LC_RPATH = 0x8000001c;
const LC_DYLIB_LOADS = new Set([0xc, 0x20, 0x80000018, 0x8000001f, 0x80000023]);

function machODeps(b: Buffer, file: string): NativeDeps {
  if (b.readUInt32LE(0) !== 0xfeedfacf) throw new Error(`${file}: only 64-bit single-architecture Mach-O is read`);
  const ncmds = b.readUInt32LE(16);
  const needed: string[] = [];
  const searchPaths: string[] = [];
  let at = 32;
  for (let i = 0; i < ncmds; i++) {
    const cmd = b.readUInt32LE(at);
    const size = b.readUInt32LE(at + 4);
    if (LC_DYLIB_LOADS.has(cmd)) needed.push(cString(b, at + b.readUInt32LE(at + 8)));
    else if (cmd === LC_RPATH) searchPaths.push(cString(b, at + b.readUInt32LE(at + 8)));
    at += size;
  }
  return { needed, searchPaths };
}

/** The dependencies of an ELF or Mach-O binary (`file` names it in errors). */
export function readNativeDeps(bytes: Uint8Array, file: string): NativeDeps {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 64 && b.readUInt32BE(0) === 0x7f454c46) return elfDeps(b, file);
  if (b.length >= 32 && b.readUInt32LE(0) === 0xfeedfacf) return machODeps(b, file);
  throw new Error(`${file}: neither ELF nor 64-bit Mach-O`);
}
