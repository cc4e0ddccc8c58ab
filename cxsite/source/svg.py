"""SVG images made inert: what a portfolio's SVG may carry onto the site.

An SVG is a document, not a picture: opened at its own URL on the site's
origin, its ``<script>``, ``onload`` or ``javascript:`` link runs there.
Every SVG a microsite shows (a logo, a photo) is therefore rebuilt from an
allow-list by Cloudflare's svg-hush (through py-svg-hush), which keeps
shapes, paint and text and drops scripting, event handlers, links to other
documents and external resources. lxml reads the file first, without
entities, DTD or network, only to say *where*: the line of a syntax error,
and the line of each active part the published copy leaves out.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from py_svg_hush import filter_svg

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
_XLINK = "{http://www.w3.org/1999/xlink}href"
#: Elements that run script or embed another document.
_ACTIVE_ELEMENTS = {"script", "foreignObject", "iframe", "embed", "object", "handler", "listener"}
#: Raster images a data: address may carry (what svg-hush is told to keep).
_DATA_IMAGES = {"image": ["png", "jpeg", "gif", "webp"]}


@dataclass(frozen=True)
class SvgFault(Exception):
    """What makes an SVG unpublishable: ``line`` in its file (0 = unknown)."""
    line: int
    message: str
    fix: str


@dataclass(frozen=True)
class Removed:
    """An active part of an SVG that the published copy leaves out."""
    line: int
    what: str


def clean_svg(data: bytes) -> bytes:
    """The SVG to publish: ``data`` rebuilt from the allow-list. Raises
    :class:`SvgFault` for what cannot be read as an SVG image at all."""
    _parse(data)
    try:
        filtered = filter_svg(data, _DATA_IMAGES)
    except ValueError as fault:
        raise SvgFault(1, f"this SVG cannot be made safe to publish ({fault})",
                       "save it again from a drawing program as a plain SVG, or use a PNG") from None
    return _without_outside_links(filtered)


def _without_outside_links(data: bytes) -> bytes:
    """svg-hush turns an outside address into a path on the site's own
    host (``https://evil.example/t.png`` becomes ``/t.png``); an image
    needs neither, so such references are left out too."""
    root = _parse(data)
    changed = False
    for element in root.iter():
        for attribute in ("href", _XLINK):
            value = element.get(attribute)
            if value is not None and not _inside(value):
                del element.attrib[attribute]
                changed = True
    if not changed:
        return data
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def removed_parts(data: bytes) -> list[Removed]:
    """The scripts, handlers, embedded documents and outside references in
    ``data`` that :func:`clean_svg` leaves out, in document order."""
    found = []
    for element in _parse(data).iter():
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname
        if name in _ACTIVE_ELEMENTS:
            found.append(Removed(element.sourceline or 0, f"<{name}> element"))
            continue
        for attribute, value in element.attrib.items():
            local = etree.QName(attribute).localname
            if local.lower().startswith("on"):
                found.append(Removed(element.sourceline or 0, f"{local} handler on <{name}>"))
            elif attribute in ("href", _XLINK) and not _inside(value):
                found.append(Removed(element.sourceline or 0, f"link to {value[:40]!r} on <{name}>"))
    return found


def _inside(href: str) -> bool:
    """Whether a reference stays inside the image: a fragment, or a raster data: address."""
    href = href.strip()
    return href.startswith("#") or href.lower().startswith(
        tuple(f"data:image/{kind};" for kind in _DATA_IMAGES["image"]))


def _parse(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as fault:
        line = fault.position[0] if fault.position else 0
        raise SvgFault(line, f"this SVG is not well-formed XML: {fault.msg}",
                       "fix the file, or save it again from a drawing program") from None
    subset = root.getroottree().docinfo.internalDTD
    if subset is not None and any(True for _ in subset.iterentities()):
        raise SvgFault(1, "this SVG declares entities, which the published copy cannot keep",
                       "save it again without entities (as 'plain SVG' or 'SVG 1.1'), or use a PNG")
    if root.tag != f"{{{SVG_NAMESPACE}}}svg":
        raise SvgFault(root.sourceline or 1, f"this file is not an SVG image: its root is <{root.tag}>",
                       f'make the root element <svg xmlns="{SVG_NAMESPACE}">')
    return root
