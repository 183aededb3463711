// Renders the extension icon (package.json "icon" must be a PNG): node media/icons/render.mjs
import sharp from 'sharp';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
await sharp(join(here, 'latent-trace.svg')).resize(128, 128).png().toFile(join(here, 'latent-trace.png'));
