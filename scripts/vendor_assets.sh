#!/usr/bin/env bash
# Re-create book/assets/vendor/ (and tests/vendor/) from the npm registry (the only time npm is
# needed).
#
# The book must render with no internet: the ipywidgets HTML manager, require.js and MathJax are
# served from the book's own _static/ folder instead of CDNs. This script downloads exact versions
# with `npm pack`, keeps only the files that the pages actually load, and writes the result into
# book/assets/vendor/. The output is committed, so building the book never needs npm.
# axe-core, which only tests/test_accessibility.py injects into pages, goes to tests/vendor/
# instead, so it is not copied into the built book's _static/.
#
# Usage: bash scripts/vendor_assets.sh
set -euo pipefail

HTML_MANAGER_VERSION=1.0.9 # @jupyter-widgets/html-manager, the 1.0.x line that ipywidgets 8 pages use
REQUIREJS_VERSION=2.3.8
MATHJAX_VERSION=3.2.2
AXE_CORE_VERSION=4.11.0

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$repo_root/book/assets/vendor"
test_dest="$repo_root/tests/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm pack --silent "@jupyter-widgets/html-manager@$HTML_MANAGER_VERSION" \
  "requirejs@$REQUIREJS_VERSION" "mathjax@$MATHJAX_VERSION" "axe-core@$AXE_CORE_VERSION" >/dev/null
sha256sum ./*.tgz
for tgz in *.tgz; do
  mkdir -p "${tgz%.tgz}"
  tar -xzf "$tgz" -C "${tgz%.tgz}"
done
hm="$work/jupyter-widgets-html-manager-$HTML_MANAGER_VERSION/package"
rq="$work/requirejs-$REQUIREJS_VERSION/package"
mj="$work/mathjax-$MATHJAX_VERSION/package"
axe="$work/axe-core-$AXE_CORE_VERSION/package"

# Keep README.md (hand-written provenance notes) and replace everything else.
find "$dest" -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} + 2>/dev/null || true
mkdir -p "$dest/html-manager" "$dest/mathjax/es5/output/chtml/fonts" "$dest/mathjax/es5/input/tex"

# require.js: one file. The package has no LICENSE file; its header states the MIT licence.
cp "$rq/require.js" "$dest/require.js"

# HTML manager: the AMD bundle plus the Font Awesome fonts it references. Webpack resolves the
# font URLs next to embed-amd.js; browsers take the woff2 entry of each @font-face, so the
# eot/svg/ttf/woff fallbacks are dropped.
cp "$hm/dist/embed-amd.js" "$hm/LICENSE" "$dest/html-manager/"
cp "$hm/dist/"*.woff2 "$dest/html-manager/"
cp "$hm/dist/embed.js.LICENSE.txt" "$dest/html-manager/THIRD-PARTY-LICENSES.txt"

# MathJax: the combined TeX+MathML -> CommonHTML component (it already bundles the menu and
# assistive MathML), its woff-v2 fonts, and the TeX extensions its autoloader may request
# (\boldsymbol, \cancel, \color, ...). Dropped: SVG output, the speech-rule engine (sre, 3.9 MB,
# only for the menu's explorer options), other combined builds, all-packages.js.
cp "$mj/LICENSE" "$dest/mathjax/"
cp "$mj/es5/tex-mml-chtml.js" "$dest/mathjax/es5/"
cp -r "$mj/es5/output/chtml/fonts/woff-v2" "$dest/mathjax/es5/output/chtml/fonts/"
cp -r "$mj/es5/input/tex/extensions" "$dest/mathjax/es5/input/tex/"
rm -f "$dest/mathjax/es5/input/tex/extensions/all-packages.js"

# axe-core (tests only): the minified bundle and its licences. Locales, the unminified build
# and the typings are not needed (the tests read rule ids and impacts, not messages).
rm -rf "$test_dest/axe-core"
mkdir -p "$test_dest/axe-core"
cp "$axe/axe.min.js" "$axe/LICENSE" "$axe/LICENSE-3RD-PARTY.txt" "$test_dest/axe-core/"

du -sh "$dest" "$test_dest"
echo "Vendored html-manager $HTML_MANAGER_VERSION, requirejs $REQUIREJS_VERSION," \
  "mathjax $MATHJAX_VERSION into $dest; axe-core $AXE_CORE_VERSION into $test_dest"
