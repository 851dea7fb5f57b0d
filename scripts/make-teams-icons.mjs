// Draws the Teams app icons (run once; the PNGs are committed):
// color.png 192×192, a white shield on the accent colour; outline.png 32×32, a white
// shield outline on transparent, as the Teams manifest asks.
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';

/** Inside a shield shape, in coordinates from 0 to 1. */
function inShield(x, y) {
  if (y < 0.12 || y > 0.9) return false;
  const half = y < 0.55 ? 0.34 : 0.34 * Math.sqrt(Math.max(0, 1 - ((y - 0.55) / 0.35) ** 2));
  return Math.abs(x - 0.5) <= half;
}

function draw(size, pixel) {
  const png = new PNG({ width: size, height: size });
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel((x + 0.5) / size, (y + 0.5) / size, 1 / size);
      const i = (y * size + x) * 4;
      png.data[i] = r;
      png.data[i + 1] = g;
      png.data[i + 2] = b;
      png.data[i + 3] = a;
    }
  return PNG.sync.write(png);
}

const accent = [0x1f, 0x5f, 0xa8, 255];
const white = [255, 255, 255, 255];
const clear = [0, 0, 0, 0];

writeFileSync('manifests/teams/color.png', draw(192, (x, y) => (inShield(x, y) ? white : accent)));
writeFileSync(
  'manifests/teams/outline.png',
  draw(32, (x, y, px) => {
    const edge = inShield(x, y) && !(inShield(x - 2 * px, y) && inShield(x + 2 * px, y) && inShield(x, y - 2 * px) && inShield(x, y + 2 * px));
    return edge ? white : clear;
  }),
);
