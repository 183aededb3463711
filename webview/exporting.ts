/**
 * Turns what a view shows into export bytes: canvases to PNG (on the theme background), text to UTF-8.
 */
import type { HostBridge } from './bridge';
import type { ExportFormat } from '../src/shared/protocol';

/** Stacks canvases vertically on a background and encodes them as PNG. */
export async function canvasesToPng(canvases: HTMLCanvasElement[], background: string): Promise<Uint8Array> {
  const width = Math.max(...canvases.map((c) => c.width));
  const height = canvases.reduce((s, c) => s + c.height, 0);
  const out = document.createElement('canvas');
  out.width = width;
  out.height = height;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, width, height);
  let y = 0;
  for (const c of canvases) {
    ctx.drawImage(c, 0, y);
    y += c.height;
  }
  const blob = await new Promise<Blob | null>((resolve) => out.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('the browser could not encode the PNG');
  return new Uint8Array(await blob.arrayBuffer());
}

export function textBytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Sends an export to the host and reports the outcome in the status line. */
export async function sendExport(bridge: HostBridge, status: (text: string) => void, format: ExportFormat, name: string, bytes: () => Promise<Uint8Array> | Uint8Array): Promise<void> {
  try {
    const reply = await bridge.exportBytes(format, name, await bytes());
    status(reply.ok ? reply.message : `export ${reply.message}`);
  } catch (err) {
    status(`export failed: ${(err as Error).message}`);
    bridge.log('error', `export ${format} failed: ${(err as Error).message}`);
  }
}

/** Rasterises an SVG document to PNG at `scale` (the browser draws it; a report PNG then matches its SVG). */
export async function svgToPng(svg: string, scale = 2): Promise<Uint8Array> {
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  await img.decode();
  const out = document.createElement('canvas');
  out.width = Math.ceil(img.naturalWidth * scale);
  out.height = Math.ceil(img.naturalHeight * scale);
  const ctx = out.getContext('2d')!;
  ctx.drawImage(img, 0, 0, out.width, out.height);
  const blob = await new Promise<Blob | null>((resolve) => out.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('the browser could not encode the PNG');
  return new Uint8Array(await blob.arrayBuffer());
}
