"""Pages whose Material frame would come out as last time, taken from the last build.

Material renders every page through ``main.html``: the header, the
navigation with the current page marked, the table of contents, the
footer, around the page's own HTML (about 3.5 ms a page, a third of what
MkDocs does for a rebuilt microsite). An edit changes a few pages of a
microsite; the rest would be rendered to the same bytes as last time.

:class:`KeptFrames` keys each page by everything the frame is made from
and remembers (in a :class:`~cxsite.memo.DiskMemo`) the digest of the file
that key gave. When a later build of the microsite meets the same key and
the previous build's file, still in place, has that digest, the file's
text is the page: ``main.html`` is not rendered again
(:func:`keepable_template` lets the plugin hand the text over).

What the key covers:

* **the site** (once per build): the versions of MkDocs, Material, Jinja2
  and MarkupSafe and cxsite's own source (the memo's name); the stat of
  every file in the theme folders (``theme/`` and the installed themes');
  the whole configuration as MkDocs loaded it (``mkdocs.yml`` with its
  ``!ENV`` values resolved, Markdown extensions and their settings, the
  theme's options, every plugin's name and settings) except the folders
  of the build; the navigation as MkDocs made it (titles, URLs, sections,
  each page's metadata); what the cxsite plugin gives the templates (the
  customer's settings without its projects, alternates, palette, noindex,
  organisation, zone);
* **the page**: its URL, source path, title, metadata, whether it is the
  home page, its table of contents, its neighbours and its HTML.

Nothing is kept when a plugin other than Material's search and cxsite is
enabled (it may put anything into a page, hooks included), or when a page
template in a theme folder names what the key leaves out (the build's
date, the list of all pages): a best-effort check, documented for theme
authors in docs/scaling.md.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from .memo import DiskMemo, digest
from .scan import tree_digest
from .searchmemo import toc_key

#: Plugins known to add nothing to a page's frame but what the key covers.
KNOWN_PLUGINS = frozenset({"cxsite", "search", "material/search"})
#: Names a page template may read that the key does not cover (``pages``, not ``nav_item.pages``).
UNCOVERED = re.compile(rb"(?<![\w.])(build_date_utc|pages)\b")
CONTEXT_KEY = "cxsite_kept_page"
PAGE_TEMPLATE = "main.html"   # MkDocs' template for every page without a 'template' in its metadata
#: Configuration items that name this build's folders, not what a page shows.
_BUILD_FOLDERS = frozenset({"site_dir", "docs_dir"})


@lru_cache(maxsize=16)
def _uncovered(folders: tuple[str, ...], state: tuple[str, ...]) -> bool:
    """A page template in ``folders`` (whose stat is ``state``) names what the key does not cover."""
    for folder in folders:
        for path in Path(folder).rglob("*.html"):
            if not any(part.startswith(".") for part in path.relative_to(folder).parts):
                data = path.read_bytes()
                if UNCOVERED.search(data):
                    return True
    return False


def _nav_key(items: Any) -> list:
    """The navigation as Material prints it: titles, URLs, sections, pages' metadata."""
    out = []
    for item in items or ():
        meta = getattr(item, "meta", None)
        out.append([type(item).__name__, str(item.title), getattr(item, "url", None), getattr(item, "is_index", None),
                    repr(sorted((name, repr(value)) for name, value in meta.items())) if meta else None,
                    _nav_key(getattr(item, "children", None))])
    return out


def _neighbour(page: Any) -> list[str] | None:
    return [page.url, str(page.title)] if page is not None else None


class KeptFrames:
    """The pages of one microsite's build that are taken from its previous build."""

    def __init__(self, memo: DiskMemo, previous: Path | None) -> None:
        self._memo = memo
        self._previous = previous
        self._site: str | None = None
        self._keys: dict[str, bytes] = {}    # page URL -> key, for pages rendered this build
        self._taken: dict[str, str] = {}     # page URL -> the previous build's text, handed over

    def site_key(self, config: Any, nav: Any, presentation: dict) -> str | None:
        """The part of every page's key that is the same for the whole site
        (computed once); ``None`` when frames must not be kept."""
        if self._site is None:
            folders = tuple(config.theme.dirs)
            state = tuple(tree_digest(folder) for folder in folders)
            if _uncovered(folders, state) or not set(config.plugins) <= KNOWN_PLUGINS:
                self._site = ""
            else:
                settings = {name: repr(value) for name, value in config.items()
                            if name not in _BUILD_FOLDERS and name not in ("plugins", "theme")}
                settings["theme"] = repr(sorted((name, repr(value)) for name, value in config.theme.items()))
                settings["plugins"] = repr([(name, repr(sorted(plugin.config.items())))
                                            for name, plugin in config.plugins.items()])
                described = [state, settings, _nav_key(nav.items), repr(sorted(presentation.items()))]
                self._site = digest(json.dumps(described, sort_keys=True, ensure_ascii=False)).hex()
        return self._site or None

    @staticmethod
    def page_key(site: str, page: Any) -> bytes:
        meta = repr(sorted((name, repr(value)) for name, value in page.meta.items()))
        described = json.dumps([site, page.url, page.file.src_uri, str(page.title), meta, page.is_homepage,
                                toc_key(page.toc), _neighbour(page.previous_page), _neighbour(page.next_page)],
                               ensure_ascii=False)
        return digest(described + "\0" + (page.content or ""))

    def kept_page(self, config: Any, nav: Any, presentation: dict, page: Any) -> str | None:
        """The page's file from the previous build when its frame would come
        out the same; else ``None`` (and the page is rendered and remembered)."""
        site = self.site_key(config, nav, presentation)
        if site is None or "template" in page.meta:   # only pages rendered by main.html are handed over
            return None
        key = self.page_key(site, page)
        known = self._memo.get(key)
        if known is not None and self._previous is not None:
            try:
                data = (self._previous / page.file.dest_uri).read_bytes()
            except OSError:
                data = None
            if data is not None and digest(data) == known:
                text = data.decode("utf-8")
                self._taken[page.url] = text
                return text
        self._keys[page.url] = key
        return None

    def taken(self, page: Any, output: str) -> bool:
        """``output`` is the previous build's file handed over for ``page``
        (not a page that was rendered after all)."""
        return self._taken.get(page.url) is output

    def remember(self, page: Any, output: str) -> None:
        """Remember what a rendered page's file holds (as MkDocs writes it)."""
        key = self._keys.pop(page.url, None)
        if key is not None:
            self._memo.put(key, digest(output.encode("utf-8", errors="xmlcharrefreplace")))

    def save(self) -> None:
        self._memo.save()


class _KeepableTemplate:
    """A page template that yields the page handed over in the context
    (:data:`CONTEXT_KEY`) instead of rendering, when there is one."""

    def __init__(self, template: jinja2.Template) -> None:
        self._template = template

    def render(self, *args: Any, **kwargs: Any) -> str:
        context = args[0] if args and isinstance(args[0], dict) else kwargs
        kept = context.get(CONTEXT_KEY)
        return kept if kept is not None else self._template.render(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._template, name)


def keepable_template(env: jinja2.Environment) -> None:
    """Make ``env`` (MkDocs' theme environment) return a ``main.html`` that
    can hand over a kept page (see :class:`KeptFrames`)."""
    if getattr(env, "_cxsite_keepable", False):
        return
    get_template = env.get_template

    def keepable(name: Any, *args: Any, **kwargs: Any) -> Any:
        template = get_template(name, *args, **kwargs)
        return _KeepableTemplate(template) if name == PAGE_TEMPLATE else template

    env.get_template = keepable  # type: ignore[method-assign]
    env._cxsite_keepable = True  # type: ignore[attr-defined]
