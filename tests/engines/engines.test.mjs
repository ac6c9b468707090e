// The core scenario (scenario.mjs) in Firefox ESR and in WebKitGTK, compared bit for bit with Chromium's run of the
// same experiment (reference.mjs). One page session per engine runs the whole scenario in sequence, to keep CI short.
// The full suite (tests/browser/) runs in Chromium; build.sh runs this folder after it.
import { after, before, describe, it } from 'node:test';
import { startServer } from '../browser/helpers.mjs';
import { openFirefox, openWebKit } from './drivers.mjs';
import { chromiumLinks, openLinksIn } from './links_across.mjs';
import { chromiumReference } from './reference.mjs';
import { runScenario } from './scenario.mjs';

// ENGINES=webkit (or firefox, or both comma-separated) runs only those; all by default.
const ALL = { firefox: openFirefox, webkit: openWebKit };
const ENGINES = (process.env.ENGINES || 'firefox,webkit').split(',').map((n) => n.trim().toLowerCase())
  .map((n) => { if (!ALL[n]) throw new Error(`ENGINES: unknown engine "${n}" (firefox, webkit)`); return ALL[n]; });

const log = (line) => console.log(`# ${line}`);

describe('the core scenario in Firefox and WebKit, identical to Chromium', { timeout: 15 * 60_000 }, () => {
  let server, ref;

  before(async () => {
    server = await startServer();
    ref = await chromiumReference(server.url);
    log(`Chromium: link of ${ref.hash.length} characters after the address; loss ${ref.losses[1]} → ${ref.losses[40]}`);
  });
  after(() => server?.close());

  for (const open of ENGINES) {
    it(`${open === openFirefox ? 'Firefox' : 'WebKit'}: trains, samples, reloads, shares and loads as Chromium does`, async () => {
      const b = await open();
      log(`${b.name} ${b.version}`);
      try {
        await runScenario(b, server.url, ref, log);
      } finally {
        await b.close();
      }
    });
  }
});

// Chromium's short link of the default experiment at step 300 and its longest link, each in a fresh profile of each
// engine (links_across.mjs).
describe('Chromium\'s short and longest links in Firefox and WebKit', { timeout: 45 * 60_000 }, () => {
  let server, links;

  before(async () => {
    server = await startServer();
    links = await chromiumLinks(server.url);
    log(`Chromium: short link ${links.short.hash.length} characters after the address, longest link ${links.longest.length}`);
  });
  after(() => server?.close());

  for (const open of [openFirefox, openWebKit]) {
    it(`${open === openFirefox ? 'Firefox' : 'WebKit'}: the short link trains to the sender's weights; the longest link opens`, async () => {
      const b = await open();
      try {
        await openLinksIn(b, server.url, links, log);
      } finally {
        await b.close();
      }
    });
  }
});
