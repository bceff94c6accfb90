"""Text alternatives for every image, and two theme markup fixes (registered in ``_config.yml``).

myst-nb turns an image output of a code cell into an image node without ``alt``, and the HTML
writer then falls back to the file name (``alt="../_images/9d13....png"``), which a screen reader
reads out as a hash. Once references are resolved (``doctree-resolved``), every image whose alt
text is missing, empty or just its file name gets one:

1. an image inside a figure with a caption (a cell with ``mystnb: figure: caption: ...``, or a
   ``{figure}`` directive): the caption as plain text, roles resolved to their text (a
   ``{term}`` link becomes the term, math keeps its TeX source);
2. otherwise an explicit ``mystnb: image: alt: ...`` cell option (myst-nb already puts it on the
   node, so it is kept as it is);
3. otherwise a fallback naming the enclosing section: ``“<节标题>”一节中代码输出的图``, numbered
   when a section has several such images (``……的第 2 幅图``).

Captions are not required. When this extension was written, 20 of the 39 images in the executed
book were uncaptioned cell outputs (structures, seq2seq, rnn_or_cnn, the structures_* pages) and
several chapters were being edited in parallel, so a hard rule would have broken their builds.
The fallback tells a reader at least where the figure belongs; pages should still prefer a
caption (which also gives the figure a number and a target). Set ``a11y_require_captions: true``
under ``sphinx: config:`` to turn every fallback into a warning, which the strict build (-W)
makes fatal.

Two fixes of the theme's HTML that axe-core flags live here too, because they are in the
markup (CSS and widget fixes are in ``book/assets/a11y.css`` and ``book/assets/widgets-a11y.js``):
the icon-only ``<summary>`` toggles of the navigation tree get an ``aria-label``, and citations
inside docutils' ``role="list"`` get ``role="listitem"`` instead of the deprecated
``doc-biblioentry``.

``tests/test_accessibility.py`` checks the result: every ``<img>`` of every built page has a
non-empty alt that is not a file path, and axe-core finds no serious or critical violation.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)

FALLBACK = "“{section}”一节中代码输出的图"
FALLBACK_NUMBERED = "“{section}”一节中代码输出的第 {n} 幅图"
UNTITLED = "本页"
TOGGLE_LABEL = "展开或收起“{title}”的小节"
TOGGLE_LABEL_BARE = "展开或收起小节"


def plain_text(node: nodes.Node) -> str:
    """``node``'s text on one line (roles and references reduced to their text)."""
    return re.sub(r"\s+", " ", node.astext()).strip()


def _needs_alt(image: nodes.image) -> bool:
    alt = (image.get("alt") or "").strip()
    if not alt:
        return True
    uri = image.get("uri", "")
    # the HTML writer's fallback, or an alt text that is only a path or file name
    return alt == uri or alt.rsplit("/", 1)[-1] == uri.rsplit("/", 1)[-1]


def _figure_caption(image: nodes.image) -> str:
    parent = image.parent
    while parent is not None and not isinstance(parent, (nodes.figure, nodes.section)):
        parent = parent.parent
    if isinstance(parent, nodes.figure):
        for child in parent.findall(nodes.caption):
            text = plain_text(child)
            if text:
                return text
    return ""


def _section_title(image: nodes.image) -> str:
    parent = image.parent
    while parent is not None:
        if isinstance(parent, nodes.section):
            for child in parent.children:
                if isinstance(child, nodes.title):
                    return plain_text(child)
        parent = parent.parent
    return ""


def _section_of(image: nodes.image):
    parent = image.parent
    while parent is not None and not isinstance(parent, nodes.section):
        parent = parent.parent
    return parent


def add_alt_texts(app, doctree: nodes.document, docname: str) -> None:
    """Give every image of ``doctree`` a meaningful ``alt`` (see the module docstring)."""
    fallback_images = []
    for image in doctree.findall(nodes.image):
        if not _needs_alt(image):
            continue
        caption = _figure_caption(image)
        if caption:
            image["alt"] = caption
        else:
            fallback_images.append(image)

    per_section: dict[int, list[nodes.image]] = {}
    for image in fallback_images:
        per_section.setdefault(id(_section_of(image)), []).append(image)
    for images in per_section.values():
        section = _section_title(images[0]) or UNTITLED
        for n, image in enumerate(images, start=1):
            if len(images) == 1:
                image["alt"] = FALLBACK.format(section=section)
            else:
                image["alt"] = FALLBACK_NUMBERED.format(section=section, n=n)
            if app.config.a11y_require_captions:
                logger.warning(
                    "image %s has no caption and no alt text (use `mystnb: figure: caption:` "
                    "or `mystnb: image: alt:` in its cell)",
                    image.get("uri", "?"),
                    location=image,
                    type="a11y",
                    subtype="alt",
                )


def _name_toctree_toggles(html):
    """Give each icon-only ``<summary>`` of a navigation tree an ``aria-label``.

    pydata-sphinx-theme puts a page's sub-pages into ``<details>`` whose ``<summary>`` holds only
    a chevron icon (``role="presentation"``): axe-core's summary-name (serious) asks for a name.
    The name says what the toggle does and for which page: ``展开或收起“<页标题>”的小节``.
    """
    soup = html if isinstance(html, BeautifulSoup) else BeautifulSoup(str(html), "html.parser")
    for summary in soup.find_all("summary"):
        if summary.get("aria-label") or summary.get_text(strip=True):
            continue
        item = summary.find_parent("li")
        link = item.find("a", recursive=False) if item is not None else None
        title = link.get_text(" ", strip=True) if link is not None else ""
        summary["aria-label"] = TOGGLE_LABEL.format(title=title) if title else TOGGLE_LABEL_BARE
    return soup if isinstance(html, BeautifulSoup) else str(soup)


def _wrap_toctree(app, pagename, templatename, context, doctree) -> None:
    generate = context.get("generate_toctree_html")
    if generate is None or getattr(generate, "_rnn_book_a11y", False):
        return

    def generate_toctree_html(*args, **kwargs):
        return _name_toctree_toggles(generate(*args, **kwargs))

    generate_toctree_html._rnn_book_a11y = True
    context["generate_toctree_html"] = generate_toctree_html


def _fix_citation_roles(app, pagename, templatename, context, doctree) -> None:
    """Citations in a ``role="list"`` get ``role="listitem"``.

    docutils writes ``<div role="list" class="citation-list">`` around entries marked
    ``role="doc-biblioentry"``, a role that ARIA 1.2 deprecated and that may not be a list's
    child: axe-core's aria-required-children (critical) on the bibliography page.
    """
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app):
    app.add_config_value("a11y_require_captions", False, "env", [bool])
    app.connect("doctree-resolved", add_alt_texts)
    # after pydata-sphinx-theme has put its generate_toctree_html into the context (priority 500)
    app.connect("html-page-context", _wrap_toctree, priority=900)
    app.connect("html-page-context", _fix_citation_roles)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
