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
text is the page: the template is not rendered again
(:func:`keepable_template` lets the plugin hand it over).

What the key covers:

* **the site** (once per build): the versions of MkDocs, Material, Jinja2
  and MarkupSafe and cxsite's own source (the memo's name); every file of
  the theme folders outside those packages (``theme/``); the resolved
  configuration the templates read (site name and URL, theme options and
  language, logo, navigation, ``extra``, copyright, repository, extra CSS
  and scripts, the plugins); what the cxsite plugin gives the templates
  (alternates, palette, noindex, organisation, time zone) and the
  customer's own settings without its projects;
* **the page**: its URL, source path, title, metadata, whether it is the
  home page, its table of contents, its neighbours and its HTML.

Nothing is kept when another plugin than Material's search and cxsite is
enabled (it may put anything into a page), or when a theme template reads
what the key leaves out (the build's date, the customer's projects).
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import jinja2

from .memo import DiskMemo, digest

#: Plugins known to add nothing to a page's frame but what the key covers.
KNOWN_PLUGINS = frozenset({"cxsite", "search", "material/search"})
#: Words in a theme template that mean it reads what the key does not cover.
UNCOVERED = ("build_date_utc", "customer.projects")
CONTEXT_KEY = "cxsite_kept_page"
PAGE_TEMPLATE = "main.html"   # MkDocs' template for every page without a 'template' in its metadata


def _theme_files_digest(folders: list[str]) -> str | None:
    """Digest of every file in the theme ``folders`` outside the installed
    MkDocs and Material packages (their versions name the memo); ``None``
    when a template there reads something the key does not cover."""
    import material
    import mkdocs

    packages = tuple(os.path.dirname(os.path.abspath(module.__file__ or "")) + os.sep for module in (material, mkdocs))
    parts = []
    for folder in folders:
        if (os.path.abspath(folder) + os.sep).startswith(packages):
            continue
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                data = path.read_bytes()
                if path.suffix in (".html", ".xml", ".j2") and any(word.encode() in data for word in UNCOVERED):
                    return None
                parts.append(f"{path.relative_to(folder).as_posix()}\0".encode() + digest(data))
    return digest(b"\0".join(parts)).hex()


def _toc(items: Any) -> list:
    return [[item.id, str(item.title), item.url, item.level, _toc(item.children)] for item in items or ()]


def _neighbour(page: Any) -> list[str] | None:
    return [page.url, str(page.title)] if page is not None else None


class KeptFrames:
    """The pages of one microsite's build that are taken from its previous build."""

    def __init__(self, memo: DiskMemo, previous: Path | None) -> None:
        self._memo = memo
        self._previous = previous
        self._site: str | None = None
        self._keys: dict[str, bytes] = {}    # page URL -> key, for pages rendered this build
        self._taken: set[str] = set()        # URLs of the pages taken from the previous build

    def site_key(self, config: Any, presentation: dict) -> str | None:
        """The part of every page's key that is the same for the whole site
        (computed once); ``None`` when frames must not be kept."""
        if self._site is None:
            theme = _theme_files_digest(list(config.theme.dirs))
            if theme is None or not set(config.plugins) <= KNOWN_PLUGINS:
                self._site = ""
            else:
                settings = {name: repr(config.get(name)) for name in (
                    "site_name", "site_url", "site_description", "site_author", "copyright", "repo_url",
                    "repo_name", "edit_uri", "extra", "extra_css", "extra_javascript", "nav",
                    "use_directory_urls")}
                settings["theme"] = repr(sorted((name, repr(value)) for name, value in config.theme.items()))
                settings["plugins"] = repr(list(config.plugins))
                settings["cxsite"] = repr(sorted(presentation.items()))
                self._site = digest(json.dumps([theme, settings], sort_keys=True)).hex()
        return self._site or None

    def page_key(self, site: str, page: Any) -> bytes:
        meta = repr(sorted((name, repr(value)) for name, value in page.meta.items()))
        described = json.dumps([site, page.url, page.file.src_uri, str(page.title), meta, page.is_homepage,
                                _toc(page.toc), _neighbour(page.previous_page), _neighbour(page.next_page)],
                               ensure_ascii=False)
        return digest(described + "\0" + (page.content or ""))

    def kept_page(self, config: Any, presentation: dict, page: Any) -> str | None:
        """The page's file from the previous build when its frame would come
        out the same; else ``None`` (and the page is rendered and remembered)."""
        site = self.site_key(config, presentation)
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
                self._taken.add(page.url)
                return data.decode("utf-8")
        self._keys[page.url] = key
        return None

    @property
    def kept(self) -> int:
        """How many pages were taken from the previous build."""
        return len(self._taken)

    def taken(self, page: Any) -> bool:
        return page.url in self._taken

    def remember(self, page: Any, output: str) -> None:
        """Remember what a rendered page's file will hold (as MkDocs writes it)."""
        key = self._keys.pop(page.url, None)
        if key is not None:
            self._memo.put(key, digest(output.encode("utf-8", errors="xmlcharrefreplace")))

    def save(self) -> None:
        self._memo.save()


def customer_settings(customer: Any) -> str:
    """The customer's own settings a theme template may read (not its projects)."""
    return repr(replace(customer, projects=()))


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
    """Make ``env`` (MkDocs' theme environment) return templates that can
    hand over a kept page (see :class:`KeptFrames`)."""
    if getattr(env, "_cxsite_keepable", False):
        return
    get_template = env.get_template

    def keepable(name: Any, *args: Any, **kwargs: Any) -> Any:
        template = get_template(name, *args, **kwargs)
        return _KeepableTemplate(template) if name == PAGE_TEMPLATE else template

    env.get_template = keepable  # type: ignore[method-assign]
    env._cxsite_keepable = True  # type: ignore[attr-defined]
