"""Whatever brand colour a customer picks, text and links stay readable."""

import pytest

from cxsite.render.colours import DARK_BACKGROUND, LIGHT_BACKGROUND, contrast, palette


@pytest.mark.parametrize("brand", ["#0b6e4f", "#ffd700", "#ffffff", "#000000", "#e30613", "#7fdbff", "#abc", None])
def test_brand_palette_meets_wcag_aa(brand):
    p = palette(brand)
    assert contrast(p.on_brand, p.brand) >= 4.5
    assert contrast(p.link_light, LIGHT_BACKGROUND) >= 4.5
    assert contrast(p.link_dark, DARK_BACKGROUND) >= 4.5


def test_a_readable_brand_colour_is_kept_as_it_is():
    assert palette("#0b6e4f").link_light == "#0b6e4f"
