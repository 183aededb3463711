import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { decodeRgb, normalise, prepareImage } from '../../src/runtime/image';
import { sampleManifest } from './manifest-fixture';

const spec = sampleManifest().image; // 64x64, mean 0.5, std 0.25
let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lt-image-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const solid = (width: number, height: number, background: string | { r: number; g: number; b: number; alpha: number }, channels: 3 | 4 = 3) =>
  sharp({ create: { width, height, channels, background } });

async function file(name: string, data: Buffer | string): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, data);
  return p;
}

/** A PNG whose header says width x height, with one row of pixel data: enough for the size check. */
function pngHeaderOnly(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1 + width * 3))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** the model-input value of channel c at pixel (x, y) */
const at = (pixels: Float32Array, c: number, x: number, y: number) => pixels[c * 64 * 64 + y * 64 + x];
const byteOf = (v: number) => Math.round((v * 0.25 + 0.5) * 255);

test('0-byte file', async () => {
  await assert.rejects(prepareImage(await file('empty.png', Buffer.alloc(0)), spec), { name: 'ImageError', message: /empty\.png: the image is empty \(0 bytes\)/ });
});

test('truncated PNG', async () => {
  const png = await solid(64, 64, '#ff0000').png({ compressionLevel: 0 }).toBuffer();
  await assert.rejects(prepareImage(await file('truncated.png', png.subarray(0, png.length / 2)), spec), { name: 'ImageError', message: /truncated\.png: cannot decode the image/ });
});

test('a text file named .png', async () => {
  await assert.rejects(prepareImage(await file('text.png', 'hello, not an image\n'), spec), { name: 'ImageError', message: /text\.png: not an image format this tool can read/ });
});

test('a missing file', async () => {
  await assert.rejects(prepareImage(join(dir, 'nope.png'), spec), { name: 'ImageError', message: /nope\.png: cannot read the image \(ENOENT\)/ });
});

test('a 20000x20000 PNG is refused by the pixel limit before decoding', async () => {
  const started = performance.now();
  await assert.rejects(prepareImage(await file('huge.png', pngHeaderOnly(20000, 20000)), spec), {
    name: 'ImageError',
    message: /huge\.png: the image is 20000x20000 pixels \(400 MP\), above the 100 MP limit/,
  });
  assert.ok(performance.now() - started < 2000, 'the guard must not decode the image');
});

test('the pixel limit also applies to real images', async () => {
  const png = await solid(64, 64, '#00ff00').png().toBuffer();
  await assert.rejects(prepareImage(png, spec, { name: 'small.png', pixelLimit: 1000 }), /small\.png: the image is 64x64 pixels \(0\.00 MP\), above the 0\.00 MP limit/);
});

test('16-bit PNG becomes 8-bit sRGB', async () => {
  const png = await solid(64, 64, { r: 200, g: 100, b: 50, alpha: 1 }).toColourspace('rgb16').png().toBuffer();
  assert.equal((await sharp(png).metadata()).depth, 'ushort');
  const img = await prepareImage(png, spec, { name: 'deep.png' });
  assert.ok(Math.abs(byteOf(at(img.pixels.data, 0, 5, 5)) - 200) <= 1);
  assert.ok(Math.abs(byteOf(at(img.pixels.data, 2, 5, 5)) - 50) <= 1);
});

test('CMYK JPEG becomes sRGB', async () => {
  const jpg = await solid(64, 64, '#2050e0').toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
  assert.equal((await sharp(jpg).metadata()).space, 'cmyk');
  const img = await prepareImage(jpg, spec, { name: 'cmyk.jpg' });
  assert.equal(img.pixels.shape.join(','), '1,3,64,64');
  // blue stays the dominant channel after the round trip through CMYK
  assert.ok(at(img.pixels.data, 2, 30, 30) > at(img.pixels.data, 0, 30, 30) + 1);
});

test('RGBA PNG: transparent pixels are flattened onto white', async () => {
  const png = await solid(64, 64, { r: 255, g: 0, b: 0, alpha: 0 }, 4).png().toBuffer();
  const img = await prepareImage(png, spec, { name: 'rgba.png' });
  for (let c = 0; c < 3; c++) assert.equal(byteOf(at(img.pixels.data, c, 0, 0)), 255);
});

test('RGBA PNG: the preview (and so every overlay) shows the flattened image the model saw', async () => {
  const png = await solid(64, 64, { r: 255, g: 0, b: 0, alpha: 0 }, 4).png().toBuffer();
  const img = await prepareImage(png, spec, { name: 'rgba.png' });
  const { data, info } = await sharp(img.previewPng).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height, info.channels], [64, 64, 3]);
  assert.deepEqual([...data.subarray(0, 3)], [255, 255, 255]);
});

test('animated GIF: the first frame is used', async () => {
  const red = await solid(64, 64, '#ff0000').png().toBuffer();
  const blue = await solid(64, 64, '#0000ff').png().toBuffer();
  const gif = await sharp([red, blue], { join: { animated: true } }).gif().toBuffer();
  assert.equal((await sharp(gif).metadata()).pages, 2);
  const img = await prepareImage(gif, spec, { name: 'anim.gif' });
  assert.equal(img.height, 64);
  assert.ok(byteOf(at(img.pixels.data, 0, 10, 10)) > 240);
  assert.ok(byteOf(at(img.pixels.data, 2, 10, 10)) < 15);
});

test('EXIF-rotated JPEG is turned upright', async () => {
  // 40 wide x 20 high, left half red; orientation 6 = rotate 90 degrees clockwise to display
  const raw = Buffer.alloc(40 * 20 * 3);
  for (let y = 0; y < 20; y++) for (let x = 0; x < 40; x++) raw[(y * 40 + x) * 3] = x < 20 ? 255 : 0;
  const jpg = await sharp(raw, { raw: { width: 40, height: 20, channels: 3 } }).jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toBuffer();
  const rgb = await decodeRgb(jpg, 'rotated.jpg');
  assert.equal(rgb.width, 20);
  assert.equal(rgb.height, 40);
  // after a clockwise turn the red left half is on top
  assert.ok(rgb.data[(5 * 20 + 10) * 3] > 200);
  assert.ok(rgb.data[(35 * 20 + 10) * 3] < 50);
});

test('a 1x1 image is resized to the model size', async () => {
  const png = await solid(1, 1, '#808080').png().toBuffer();
  const img = await prepareImage(png, spec, { name: 'dot.png' });
  assert.equal(img.width, 1);
  assert.deepEqual(img.pixels.shape, [1, 3, 64, 64]);
  assert.equal(byteOf(at(img.pixels.data, 1, 63, 63)), 128);
});

test('greyscale, WebP and TIFF decode to 3 channels', async () => {
  for (const [name, buf] of [
    ['grey.png', await solid(64, 64, '#404040').greyscale().png().toBuffer()],
    ['x.webp', await solid(64, 64, '#404040').webp({ lossless: true }).toBuffer()],
    ['x.tiff', await solid(64, 64, '#404040').tiff().toBuffer()],
  ] as const) {
    const img = await prepareImage(buf, spec, { name });
    assert.equal(byteOf(at(img.pixels.data, 0, 3, 3)), 64, name);
    assert.equal(byteOf(at(img.pixels.data, 2, 3, 3)), 64, name);
  }
});

test('an image already at the model size is not resampled; normalisation is (x/255 - mean)/std', async () => {
  const raw = Buffer.alloc(64 * 64 * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 7) & 255;
  const png = await sharp(raw, { raw: { width: 64, height: 64, channels: 3 } }).png().toBuffer();
  const img = await prepareImage(png, spec, { name: 'exact.png' });
  assert.deepEqual(Array.from(img.pixels.data), Array.from(normalise(raw, 64, spec.mean, spec.std)));
  assert.equal(img.pixels.data[0], (0 / 255 - 0.5) / 0.25);
  assert.equal(img.pixels.data[64 * 64], Math.fround((7 / 255 - 0.5) / 0.25));
});

test('the preview keeps at most 1024 px', async () => {
  const png = await solid(1500, 300, '#123456').png().toBuffer();
  const img = await prepareImage(png, spec, { name: 'wide.png' });
  const meta = await sharp(img.previewPng).metadata();
  assert.equal(meta.width, 1024);
  assert.equal(img.width, 1500);
});

test('the preview is a PNG: a small upright PNG is kept as is, other images are re-encoded', async () => {
  const png = await solid(64, 64, '#336699').png().toBuffer();
  assert.deepEqual((await prepareImage(png, spec, { name: 'p.png' })).previewPng, png);
  const jpg = await solid(64, 64, '#336699').jpeg().toBuffer();
  const fromJpeg = (await prepareImage(jpg, spec, { name: 'p.jpg' })).previewPng;
  assert.equal((await sharp(fromJpeg).metadata()).format, 'png');
});
