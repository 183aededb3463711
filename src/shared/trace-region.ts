/**
 * The part of the image the visual-token grid covers, as fractions of the image (`input.gridRegion`).
 * A stretch resize and Qwen2-VL's smart_resize cover the whole image; CLIP's shortest-edge resize with a
 * centre crop covers only the middle of a non-square image, and the panel must draw the grid there.
 * Pure (no node:*): the runtime writes the region with it, the panel draws with it.
 */

export interface GridRegion {
  /** left and top edge, as fractions of the image width and height */
  x: number;
  y: number;
  /** extent, as fractions of the image width and height */
  width: number;
  height: number;
}

export const WHOLE_IMAGE: GridRegion = { x: 0, y: 0, width: 1, height: 1 };

/**
 * CLIPImageProcessor's crop on a width x height image: the shortest edge resized to `shortestEdge`, the
 * other to int(shortestEdge * long / short), then a cropWidth x cropHeight centre crop at offsets (W'-w)//2, (H'-h)//2.
 */
export function centreCropRegion(width: number, height: number, shortestEdge: number, cropWidth: number, cropHeight: number): GridRegion {
  if (!(width > 0 && height > 0 && shortestEdge > 0 && cropWidth > 0 && cropHeight > 0)) {
    throw new RangeError(`centre crop of a ${width}x${height} image to ${cropWidth}x${cropHeight} (shortest edge ${shortestEdge}) is empty`);
  }
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  const longSide = Math.floor((shortestEdge * long) / short);
  const [w, h] = width <= height ? [shortestEdge, longSide] : [longSide, shortestEdge];
  const left = Math.floor((w - cropWidth) / 2);
  const top = Math.floor((h - cropHeight) / 2);
  // a crop larger than the resized image is padded by the processor; the grid then still spans the crop
  return { x: left / w, y: top / h, width: cropWidth / w, height: cropHeight / h };
}
