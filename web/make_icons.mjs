// The page's icon, drawn here from a few shapes so that the SVG and the PNGs (for the web app manifest and home
// screens that want bitmaps) are one picture: a recurrent loop (a ring with an arrowhead feeding back into itself)
// above three dots, a sequence of characters, in white on the page's accent blue. Everything important lies within
// the central circle of 40 % radius, so the icon also works where it is cut to a circle ("maskable").
//   import { writeIcons } from './make_icons.mjs'; writeIcons(SITE_DIR)  →  icon.svg, icon-192.png, icon-512.png
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

const BLUE = [0x1f, 0x5f, 0xbf];
const WHITE = [0xff, 0xff, 0xff];
// In a unit square, y downwards: the ring, its gap (angles in degrees, clockwise from the right), the dots.
const RING = { cx: 0.5, cy: 0.44, r: 0.21, width: 0.075, from: -35, to: 255 };
const DOTS = [0.34, 0.5, 0.66].map((x) => ({ x, y: 0.8, r: 0.048 }));
const CORNER = 0.2;

const rad = (deg) => (deg * Math.PI) / 180;
const onRing = (deg, r = RING.r) => [RING.cx + r * Math.cos(rad(deg)), RING.cy + r * Math.sin(rad(deg))];

// The arrowhead at the ring's end, pointing on round the ring (clockwise): tip and the two corners of its base.
function arrowhead() {
  const [bx, by] = onRing(RING.to);
  const tangent = [-Math.sin(rad(RING.to)), Math.cos(rad(RING.to))];
  const radial = [Math.cos(rad(RING.to)), Math.sin(rad(RING.to))];
  const half = RING.width * 1.35;
  return [[bx + tangent[0] * 0.13, by + tangent[1] * 0.13],
          [bx + radial[0] * half, by + radial[1] * half], [bx - radial[0] * half, by - radial[1] * half]];
}

export function iconSvg() {
  const [x0, y0] = onRing(RING.from);
  const [x1, y1] = onRing(RING.to);
  const f = (v) => +v.toFixed(4);
  const tip = arrowhead().map(([x, y]) => `${f(x)},${f(y)}`).join(' ');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1">
  <rect width="1" height="1" rx="${CORNER}" fill="#1f5fbf"/>
  <path d="M${f(x0)} ${f(y0)} A${RING.r} ${RING.r} 0 1 1 ${f(x1)} ${f(y1)}" fill="none" stroke="#fff" stroke-width="${RING.width}"/>
  <polygon points="${tip}" fill="#fff"/>
${DOTS.map((d) => `  <circle cx="${d.x}" cy="${d.y}" r="${d.r}" fill="#fff"/>`).join('\n')}
</svg>
`;
}

function inTriangle(x, y, [[ax, ay], [bx, by], [cx, cy]]) {
  const side = (px, py, qx, qy) => (qx - px) * (y - py) - (qy - py) * (x - px);
  const s1 = side(ax, ay, bx, by), s2 = side(bx, by, cx, cy), s3 = side(cx, cy, ax, ay);
  return (s1 >= 0 && s2 >= 0 && s3 >= 0) || (s1 <= 0 && s2 <= 0 && s3 <= 0);
}

// What colour the point (x, y) of the unit square is: white, blue, or outside the rounded square (null).
function colourAt(x, y, head) {
  const dx = Math.max(CORNER - x, 0, x - (1 - CORNER)), dy = Math.max(CORNER - y, 0, y - (1 - CORNER));
  if (dx * dx + dy * dy > CORNER * CORNER) return null;
  const d = Math.hypot(x - RING.cx, y - RING.cy);
  let angle = (Math.atan2(y - RING.cy, x - RING.cx) * 180) / Math.PI;
  if (angle < RING.from) angle += 360;
  if (Math.abs(d - RING.r) <= RING.width / 2 && angle <= RING.to) return WHITE;
  if (inTriangle(x, y, head) || DOTS.some((c) => Math.hypot(x - c.x, y - c.y) <= c.r)) return WHITE;
  return BLUE;
}

// RGBA pixels, each the average of 4 × 4 samples (smooth edges).
function pixels(size) {
  const head = arrowhead();
  const out = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; ++py) {
    for (let px = 0; px < size; ++px) {
      const sum = [0, 0, 0, 0];
      for (let s = 0; s < 16; ++s) {
        const c = colourAt((px + ((s % 4) + 0.5) / 4) / size, (py + (Math.floor(s / 4) + 0.5) / 4) / size, head);
        if (!c) continue;
        for (let k = 0; k < 3; ++k) sum[k] += c[k];
        sum[3] += 255;
      }
      const covered = sum[3] / 255;
      const at = (py * size + px) * 4;
      for (let k = 0; k < 3; ++k) out[at + k] = covered ? Math.round(sum[k] / covered) : 0;
      out[at + 3] = Math.round(sum[3] / 16);
    }
  }
  return out;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

// A PNG of the icon at size × size: 8-bit RGBA, each row with filter type 0.
export function iconPng(size) {
  const rgba = pixels(size);
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; ++y) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

export function writeIcons(site) {
  writeFileSync(join(site, 'icon.svg'), iconSvg());
  for (const size of [192, 512]) writeFileSync(join(site, `icon-${size}.png`), iconPng(size));
}
