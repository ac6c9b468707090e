// The build this page belongs to. build.sh (web/stamp_build.mjs) replaces the placeholder below, in every file of the
// site, with a hash of the built files, so the page, its workers and the service worker can tell which build they are.
// Every file the page fetches carries it (`?v=`), and the service worker answers from that build's cache: a page
// never mixes files of two builds, even while a newer build is being cached.
export const BUILD = '__RNNLAB_BUILD__';

// `file` (relative to the page or worker) with the build it must come from; unchanged on an unstamped page.
export function versioned(file, build = BUILD) {
  return /^[0-9a-f]{16}$/.test(build) ? `${file}?v=${build}` : file;
}
