// Renders the extension icon (package.json "icon" must be a PNG) and the README banner (the marketplace
// page shows no SVG): node media/icons/render.mjs. The banner's text needs DejaVu Sans (fonts-dejavu).
import sharp from 'sharp';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
await sharp(join(here, 'latent-trace.svg')).resize(128, 128).png().toFile(join(here, 'latent-trace.png'));
await sharp(join(here, 'banner.svg')).png({ compressionLevel: 9 }).toFile(join(here, 'banner.png'));
