"""Brand colours that stay readable (WCAG 2 contrast).

A customer's brand colour is used for the header and for links. Links must
reach 4.5:1 against the page background in the light and the dark scheme,
and header text must reach 4.5:1 against the brand colour, whatever colour
a customer picked. These functions derive those colours from the brand.
"""

from __future__ import annotations

from dataclasses import dataclass

LIGHT_BACKGROUND = "#ffffff"
DARK_BACKGROUND = "#1e2129"   # Material's slate scheme background
DEFAULT_BRAND = "#2f5d8a"
MINIMUM = 4.8  # a margin over WCAG AA 4.5:1 for rounding in checkers


def _rgb(colour: str) -> tuple[float, float, float]:
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return tuple(int(value[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in rgb)


def luminance(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _towards(colour: str, target: str, background: str) -> str:
    """Mix ``colour`` towards ``target`` just until it reads on ``background``."""
    start, end = _rgb(colour), _rgb(target)
    for step in range(0, 101, 2):
        t = step / 100
        mixed = _hex(tuple(s + (e - s) * t for s, e in zip(start, end)))  # type: ignore[arg-type]
        if contrast(mixed, background) >= MINIMUM:
            return mixed
    return target


@dataclass(frozen=True)
class Palette:
    brand: str          # header background
    on_brand: str       # header text
    link_light: str     # links on the light scheme
    link_dark: str      # links on the dark scheme


def palette(brand: str | None) -> Palette:
    brand = (brand or DEFAULT_BRAND).lower()
    on_brand = "#ffffff" if contrast("#ffffff", brand) >= contrast("#000000", brand) else "#000000"
    return Palette(brand=brand, on_brand=on_brand,
                   link_light=_towards(brand, "#000000", LIGHT_BACKGROUND),
                   link_dark=_towards(brand, "#ffffff", DARK_BACKGROUND))
