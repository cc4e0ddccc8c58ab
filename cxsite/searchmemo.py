"""Material's search entries of a page, kept between builds.

Material's search plugin parses every page's HTML with Python's
``HTMLParser`` to split it into sections (about 1.6 ms a page, an eighth of
a microsite's build). An edit changes a few pages of a rebuilt microsite;
the others give the same entries as last time. :func:`remember_search_entries`
wraps the plugin's ``add_entry_from_context`` so that a page whose inputs
to it are unchanged gets its entries from a :class:`~cxsite.memo.DiskMemo`.

The key covers everything ``add_entry_from_context`` reads: the page's HTML,
URL, title, table of contents and its ``search``, ``tags`` and ``title``
metadata, and whether Material segments Chinese text (jieba installed).
Material's own version is part of the memo's name (cxsite.build names it).
"""

from __future__ import annotations

import json
from typing import Any, Callable

from .memo import DiskMemo, digest


def toc_key(items: Any) -> list:
    """A page's table of contents (MkDocs' ``page.toc``) as plain data."""
    return [[item.id, str(item.title), item.url, item.level, toc_key(item.children)] for item in items or ()]


def page_key(page: Any, segmenter: str) -> bytes:
    """Everything Material's indexer reads from ``page``; ``segmenter`` names
    how Chinese text is segmented (empty without jieba)."""
    meta = {name: repr(page.meta[name]) for name in ("search", "tags", "title") if name in page.meta}
    described = json.dumps([page.url, str(page.title), toc_key(page.toc), meta, segmenter], ensure_ascii=False)
    return digest(described + "\0" + (page.content or ""))


def _segmenter(search: Any) -> str:
    """jieba's version and dictionaries when Material segments Chinese text with it."""
    module = __import__(type(search).__module__, fromlist=["jieba"])
    if not getattr(module, "jieba", None):
        return ""
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("jieba")
    except PackageNotFoundError:
        release = "?"
    settings = getattr(search, "config", None)
    return f"jieba {release} {getattr(settings, 'jieba_dict', '')} {getattr(settings, 'jieba_dict_user', '')}"


def remember_search_entries(plugins: Any, memo: DiskMemo) -> None:
    """Make Material's search plugin among ``plugins`` (an MkDocs plugin
    collection, after ``on_config``) look each page's entries up in ``memo``
    and add what it computes. Nothing happens without the search plugin."""
    search = next((plugin for plugin in plugins.values() if hasattr(plugin, "search_index")), None)
    if search is None:
        return
    index = search.search_index
    segmenter = _segmenter(search)
    compute: Callable[[Any], None] = index.add_entry_from_context

    def add_entry_from_context(page: Any) -> None:
        key = page_key(page, segmenter)
        known = memo.get(key)
        if known is not None:
            index.entries.extend(dict(entry) for entry in known)
            return
        first = len(index.entries)
        compute(page)
        memo.put(key, tuple(dict(entry) for entry in index.entries[first:]))

    index.add_entry_from_context = add_entry_from_context
