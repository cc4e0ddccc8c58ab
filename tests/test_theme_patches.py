"""The fixes cxsite makes to Material's HTML so it passes the Nu HTML Checker."""

from cxsite.engine.patches import patch_material_html


def test_an_empty_tabindex_is_removed_with_the_blank_before_it():
    html = '<label class="md-nav__link" for="__nav_2"\n      id="__nav_2_label" tabindex="">Projects</label>'
    assert patch_material_html(html) == '<label class="md-nav__link" for="__nav_2"\n      id="__nav_2_label">Projects</label>'


def test_every_empty_tabindex_goes_and_text_that_only_mentions_one_stays():
    html = '<label tabindex="">a</label> <label\ttabindex="">b</label><code>x=tabindex=""</code>'
    assert patch_material_html(html) == '<label>a</label> <label>b</label><code>x=tabindex=""</code>'


def test_autocomplete_is_dropped_from_checkboxes_only():
    html = ('<input class="md-toggle" type="checkbox" id="__drawer" autocomplete="off">'
            '<input type="text" autocomplete="off">')
    assert patch_material_html(html) == ('<input class="md-toggle" type="checkbox" id="__drawer">'
                                         '<input type="text" autocomplete="off">')


def test_the_toc_label_goes_when_the_page_has_no_toc_toggle():
    assert patch_material_html('<label for="__toc">x</label>') == '<label>x</label>'
    kept = '<input id="__toc" type="checkbox"><label for="__toc">x</label>'
    assert patch_material_html(kept) == kept
