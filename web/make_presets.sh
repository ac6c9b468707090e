#!/usr/bin/env bash
# Puts the playground's preset texts into SITE/presets/ (called by build.sh after the site is assembled):
#   hello.txt  the lecture toy: "hello" and a few short words           (web/presets/hello.txt)
#   prose.txt  an original essay about recurrent networks written for rnnlab (web/presets/prose.txt)
#   code.txt   generated here from the engine's own C++ sources (engine/rnnlab/*.cpp), so the code text is
#              always the project's current code and nobody else's.
set -euo pipefail
site=${1:?usage: web/make_presets.sh SITE_DIR}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
mkdir -p "$site/presets"
cp "$here/presets/hello.txt" "$here/presets/prose.txt" "$site/presets/"

out="$site/presets/code.txt"
: > "$out"
first=1
while IFS= read -r f; do
  [[ $first == 1 ]] || printf '\n' >> "$out"
  first=0
  printf '// ---- %s ----\n\n' "${f#"$root"/}" >> "$out"
  cat "$f" >> "$out"
done < <(LC_ALL=C ls "$root"/engine/rnnlab/*.cpp)
