// Makes the assembled site installable and usable offline, and stamps it with its build (called by build.sh last):
//   node web/stamp_build.mjs SITE_DIR
// 1. Writes the icons (web/make_icons.mjs) and the web app manifest: every address in it relative, so the site
//    installs from any folder of any host.
// 2. The build: the first 16 hex digits of a SHA-256 over every file of the site (paths and contents, with the stamp
//    itself taken out), so any change to any file gives a new build and an unchanged site keeps its build.
// 3. Puts the build where the placeholder __RNNLAB_BUILD__ is (index.html's meta tag, offline/build.js inside the
//    bundles) and on the page's own script and style sheets (?v=), which the service worker answers from that
//    build's cache (web/static/offline/sw.js).
// 4. Writes sw.js from web/static/offline/sw.js with the build and the list of files to cache, each with its SHA-256.
// Run again on a stamped site (after a file changed), it takes the old stamp out first and stamps anew.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { writeIcons } from './make_icons.mjs';

const PLACEHOLDER = '__RNNLAB_BUILD__';
const STAMPED = /\.(html|js)$/;
const site = process.argv[2];
if (!site) throw new Error('usage: node web/stamp_build.mjs SITE_DIR');

const MANIFEST = {
  name: 'rnnlab: watch a character-level RNN learn',
  short_name: 'rnnlab',
  description: 'Train a character-level recurrent network on your own text, entirely in your browser, also offline.',
  start_url: './',
  scope: './',
  display: 'standalone',
  background_color: '#f6f7f9',
  theme_color: '#1f5fbf',
  icons: [
    { src: 'icon.svg', sizes: 'any', type: 'image/svg+xml' },
    { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
    { src: 'icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any maskable' },
  ],
};

// Every file the site serves, relative to it with '/' separators; source maps (only for developer tools) and the
// service worker itself are not part of a build.
function siteFiles(dir = site) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return siteFiles(path);
    const rel = relative(site, path).split('\\').join('/');
    return rel.endsWith('.map') || rel === 'sw.js' ? [] : [rel];
  }).sort();
}

// The build a stamped site carries (from index.html's meta tag), or null.
function currentStamp() {
  const m = /<meta name="rnnlab-build" content="([0-9a-f]{16})">/.exec(readFileSync(join(site, 'index.html'), 'utf8'));
  return m ? m[1] : null;
}

const pageRefs = /(src|href)="((?:main\.js|[\w-]+\.css))(?:\?v=[^"]*)?"/g;

function unstamp(rel, text, old) {
  let out = old ? text.split(old).join(PLACEHOLDER) : text;
  if (rel === 'index.html') out = out.replace(pageRefs, '$1="$2"');
  return out;
}

function stamp(rel, text, build) {
  let out = text.split(PLACEHOLDER).join(build);
  if (rel === 'index.html') out = out.replace(pageRefs, `$1="$2?v=${build}"`);
  return out;
}

writeIcons(site);
writeFileSync(join(site, 'manifest.webmanifest'), JSON.stringify(MANIFEST, null, 2) + '\n');

const old = currentStamp();
const files = siteFiles();
const contents = new Map(files.map((rel) => {
  const bytes = readFileSync(join(site, rel));
  return [rel, STAMPED.test(rel) ? Buffer.from(unstamp(rel, bytes.toString('utf8'), old), 'utf8') : bytes];
}));
if (!contents.get('index.html')?.includes(PLACEHOLDER)) throw new Error(`${site}/index.html has no ${PLACEHOLDER} to stamp`);
const whole = createHash('sha256');
for (const [rel, bytes] of contents) whole.update(`${rel}\0${bytes.length}\0`).update(bytes);
const build = whole.digest('hex').slice(0, 16);

const list = [];
for (const [rel, bytes] of contents) {
  const out = STAMPED.test(rel) ? Buffer.from(stamp(rel, bytes.toString('utf8'), build), 'utf8') : bytes;
  if (STAMPED.test(rel)) writeFileSync(join(site, rel), out);
  list.push({ path: rel, sha256: createHash('sha256').update(out).digest('hex') });
}
const template = readFileSync(new URL('./static/offline/sw.js', import.meta.url), 'utf8');
if (!template.includes('/* __RNNLAB_FILES__ */')) throw new Error('web/static/offline/sw.js has no file list to fill');
const sw = template.split(PLACEHOLDER).join(build)
  .replace('/* __RNNLAB_FILES__ */', '\n' + list.map((f) => `  ${JSON.stringify(f)},`).join('\n') + '\n');
writeFileSync(join(site, 'sw.js'), sw);
console.log(`build ${build}: ${list.length} files for offline use`);
