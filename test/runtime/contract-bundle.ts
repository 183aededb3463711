/** Helpers around test/fixtures/runtime/contract-bundle (tiny, untrained, made by make_bundle.py). */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

export const CONTRACT_BUNDLE = join(__dirname, '..', 'fixtures', 'runtime', 'contract-bundle');

/** A copy of the contract bundle in a temp folder, with the manifest edited by `edit`. */
const variants: string[] = [];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests write deliberately ill-typed manifests
export async function bundleVariant(edit: (m: Record<string, any>) => void = () => {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lt-bundle-'));
  variants.push(dir);
  await cp(CONTRACT_BUNDLE, dir, { recursive: true });
  const file = join(dir, 'latent-trace.json');
  const m = JSON.parse(await readFile(file, 'utf8'));
  edit(m);
  await writeFile(file, JSON.stringify(m, null, 2));
  return dir;
}

/** A 32x32 test image: a red square on grey at (x, y). */
export async function squareImage(x = 4, y = 4): Promise<Buffer> {
  const raw = Buffer.alloc(32 * 32 * 3, 128);
  for (let j = y; j < y + 8; j++) for (let i = x; i < x + 8; i++) raw.set([220, 40, 40], (j * 32 + i) * 3);
  return sharp(raw, { raw: { width: 32, height: 32, channels: 3 } }).png().toBuffer();
}

export async function removeVariants(): Promise<void> {
  await Promise.all(variants.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}
