"""Cut Bootstrap Icons down to the icons Linli uses (scripts/icons.txt), for `make assets`.

The whole font is 134 KB of woff2 and its CSS 87 KB (some 2,000 icons) where Linli shows about
fifty: on a phone on a slow network that was half of a first visit. The subset keeps the
package's own glyphs and code points, so the icons look exactly as before; its CSS keeps the
package's @font-face and base rule and one rule per listed icon.

    python scripts/subset_icons.py node_modules/bootstrap-icons/font linli/static/vendor/bootstrap-icons
"""

import logging
import re
import sys
from pathlib import Path

from fontTools import subset

ICONS = Path(__file__).with_name("icons.txt")
RULE = re.compile(r'\.(bi-[a-z0-9-]+)::before\{content:"\\([0-9a-f]+)"\}')


def wanted():
    lines = ICONS.read_text().splitlines()
    return sorted({line.strip() for line in lines if line.strip() and not line.startswith("#")})


def main(source, dest):
    logging.getLogger("fontTools").setLevel(logging.ERROR)  # its notes on the package's own tables
    source, dest = Path(source), Path(dest)
    css = (source / "bootstrap-icons.min.css").read_text()
    codes = dict(RULE.findall(css))
    names = wanted()
    missing = [n for n in names if n not in codes]
    if missing:
        sys.exit(f"not in Bootstrap Icons: {', '.join(missing)} (scripts/icons.txt)")
    head = css[: RULE.search(css).start()]
    # only the woff2 (every browser Linli supports reads it); the query string was the package's cache buster
    head = re.sub(
        r'src:url\("fonts/bootstrap-icons\.woff2\?[0-9a-f]*"\) format\("woff2"\),url\([^)]*\) format\("woff"\)',
        'src:url("fonts/bootstrap-icons.woff2") format("woff2")',
        head,
    )
    if 'fonts/bootstrap-icons.woff2")' not in head:
        sys.exit("the package's @font-face is not as expected: update scripts/subset_icons.py")
    rules = "".join(f'.{n}::before{{content:"\\{codes[n]}"}}' for n in names)
    (dest / "fonts").mkdir(parents=True, exist_ok=True)
    (dest / "bootstrap-icons.min.css").write_text(head + rules + "\n")
    options = subset.Options(flavor="woff2", layout_features=[], name_IDs=["*"], notdef_outline=True)
    font = subset.load_font(str(source / "fonts" / "bootstrap-icons.woff2"), options)
    cutter = subset.Subsetter(options)
    cutter.populate(unicodes=[int(codes[n], 16) for n in names])
    cutter.subset(font)
    subset.save_font(font, str(dest / "fonts" / "bootstrap-icons.woff2"), options)
    woff = dest / "fonts" / "bootstrap-icons.woff"
    woff.unlink(missing_ok=True)


if __name__ == "__main__":
    main(*sys.argv[1:3])
