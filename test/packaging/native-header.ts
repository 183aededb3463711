/**
 * What a native binary is built for, from its header: ELF (Linux), Mach-O (macOS) or PE (Windows),
 * and the CPU (e_machine, cputype, Machine). A universal Mach-O lists every slice's CPU.
 */
export type NativeFormat = 'elf' | 'mach-o' | 'pe';
export interface NativeHeader {
  readonly format: NativeFormat;
  /** `x64`, `arm64`, or the raw machine number for any other CPU; several for a universal Mach-O */
  readonly arch: string;
}

const ELF_MACHINES: Record<number, string> = { 62: 'x64', 183: 'arm64' };
const MACHO_CPUS: Record<number, string> = { 0x01000007: 'x64', 0x0100000c: 'arm64' };
const PE_MACHINES: Record<number, string> = { 0x8664: 'x64', 0xaa64: 'arm64' };

const name = (table: Record<number, string>, id: number): string => table[id] ?? `machine 0x${id.toString(16)}`;

/** The header of `bytes`, or undefined when it is none of the three formats. */
export function readNativeHeader(bytes: Uint8Array): NativeHeader | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 20 && b.readUInt32BE(0) === 0x7f454c46) {
    const machine = b[5] === 2 ? b.readUInt16BE(18) : b.readUInt16LE(18);
    return { format: 'elf', arch: name(ELF_MACHINES, machine) };
  }
  if (b.length >= 8 && (b.readUInt32LE(0) === 0xfeedfacf || b.readUInt32LE(0) === 0xfeedface)) {
    return { format: 'mach-o', arch: name(MACHO_CPUS, b.readUInt32LE(4)) };
  }
  if (b.length >= 8 && b.readUInt32BE(0) === 0xcafebabe) {
    const slices = b.readUInt32BE(4);
    // Java class files share the magic; their "count" (a version number) is far above any slice count
    if (slices === 0 || slices > 16 || b.length < 8 + slices * 20) return undefined;
    const cpus = Array.from({ length: slices }, (_, i) => name(MACHO_CPUS, b.readUInt32BE(8 + i * 20)));
    return { format: 'mach-o', arch: cpus.join('+') };
  }
  if (b.length >= 0x40 && b.readUInt16LE(0) === 0x5a4d) {
    const pe = b.readUInt32LE(0x3c);
    if (pe + 6 > b.length || b.readUInt32LE(pe) !== 0x00004550) return undefined;
    return { format: 'pe', arch: name(PE_MACHINES, b.readUInt16LE(pe + 4)) };
  }
  return undefined;
}
