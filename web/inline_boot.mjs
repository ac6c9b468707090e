// Puts boot.js inside the site's index.html (called by build.sh after the site is assembled):
//   node web/inline_boot.mjs SITE_DIR
// boot.js starts the engine; as its own file it cost one more round trip before anything else could start (tens of
// ms on localhost under load, more on a real network). Inline, it runs as soon as the parser reaches it. The page's
// Content-Security-Policy stays strict: no 'unsafe-inline', but the SHA-256 hash of exactly this script, computed
// here from the bytes written, so the page and its policy cannot drift apart.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const site = process.argv[2];
if (!site) throw new Error('usage: node web/inline_boot.mjs SITE_DIR');
const page = join(site, 'index.html');
let html = readFileSync(page, 'utf8');
const tag = '<script src="boot.js"></script>';
if (!html.includes(tag)) throw new Error(`${page}: no ${tag} to inline`);
const code = readFileSync(join(site, 'boot.js'), 'utf8');
if (code.includes('</script')) throw new Error('boot.js must not contain "</script"');
const hash = createHash('sha256').update(code, 'utf8').digest('base64');
html = html.replace(tag, () => `<script>${code}</script>`);
const csp = /script-src 'self'/;
if (!csp.test(html)) throw new Error(`${page}: no "script-src 'self'" in the Content-Security-Policy`);
html = html.replace(csp, `script-src 'self' 'sha256-${hash}'`);
writeFileSync(page, html);
rmSync(join(site, 'boot.js'));
