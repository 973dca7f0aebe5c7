#!/usr/bin/env bash
# Copy the front-end packages installed by npm into the app's static folder.
set -euo pipefail
dest=${1:-linli/static/vendor}
rm -rf "$dest" && mkdir -p "$dest/bootstrap" "$dest/bootstrap-icons/fonts" "$dest/htmx" "$dest/chartjs" "$dest/axe-core"
cp node_modules/bootstrap/dist/css/bootstrap.min.css "$dest/bootstrap/"
cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js "$dest/bootstrap/"
# Bootstrap Icons cut down to the icons Linli uses (scripts/icons.txt) by fontTools: 8 KB instead of
# 221 KB (docs/benchmarks.md, "A resident's phone"). Without fontTools (a deploy that runs this before
# `pip install`), the whole set.
python=${PYTHON:-python3}
if "$python" -c "import fontTools.subset, brotli" 2>/dev/null; then
  "$python" scripts/subset_icons.py node_modules/bootstrap-icons/font "$dest/bootstrap-icons"
else
  echo "fontTools or brotli not importable by $python: shipping the whole Bootstrap Icons font" >&2
  cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css "$dest/bootstrap-icons/"
  cp node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff2 node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff "$dest/bootstrap-icons/fonts/"
fi
cp node_modules/htmx.org/dist/htmx.min.js "$dest/htmx/"
cp node_modules/chart.js/dist/chart.umd.min.js "$dest/chartjs/" 2>/dev/null || cp node_modules/chart.js/dist/chart.umd.js "$dest/chartjs/chart.umd.min.js"
# axe-core is for the accessibility browser test only: it injects the file into the page it checks
# (linli/browser_tests/test_accessibility.py); no template loads it.
cp node_modules/axe-core/axe.min.js "$dest/axe-core/"
# Source maps are not shipped; drop the references so browsers do not ask for them.
sed -i '/sourceMappingURL/d' "$dest"/*/*.css "$dest"/*/*.js
