"""Update bodies become safe HTML: the same fragment for pages and feeds.

Read top to bottom as the specification of :mod:`cxsite.render.markdown`: what
Markdown survives and how it looks, what never gets through, how relative
URLs are made absolute for feeds, how excerpts are cut, and which bodies are
refused because they would take too long to convert.
"""

from __future__ import annotations

import random
import re
import textwrap
from html import unescape
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxsite.diagnostics import Location, Severity
from cxsite.model import prose
from cxsite.model.prose import MAX_BYTES, MarkdownTooComplex, MarkdownTooLarge
from cxsite.render.markdown import MarkdownRenderer, RenderedMarkdown, check_markdown, convert
from cxsite.render.sanitise import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, absolutize
from cxsite.render.text import summary as excerpt

RENDERER = MarkdownRenderer()
BODY = Location("acme/erp/updates/2026-03-kickoff.md", 9, 1)   # where the body's first line is


def render(text: str) -> RenderedMarkdown:
    return RENDERER.render(textwrap.dedent(text).strip("\n") + "\n")


def html(text: str) -> str:
    return render(text).html


def dedent(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


# ------------------------------------------------------------------ helpers

class _Elements(HTMLParser):
    """Every start tag with its attributes, values unescaped as a browser would."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {name: value or "" for name, value in attrs}))

    handle_startendtag = handle_starttag


def elements(fragment: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Elements()
    parser.feed(fragment)
    parser.close()
    return parser.found


def url_scheme(url: str) -> str:
    """The scheme a browser sees: control characters and whitespace removed."""
    cleaned = re.sub(r"[\x00-\x20\x7f]", "", unescape(url)).lower()
    m = re.match(r"([a-z][a-z0-9+.\-]*):", cleaned)
    return m.group(1) if m else ""


EXTRA_ATTRIBUTES = {"rel", "class", "align", "id"}   # added by nh3 or value-restricted


def assert_safe(fragment: str) -> None:
    """Nothing in *fragment* can run script, load a frame or restyle the page."""
    assert "<script" not in fragment.lower()
    for tag, attrs in elements(fragment):
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | EXTRA_ATTRIBUTES, (tag, name)
            assert name not in ("style", "srcdoc", "formaction"), (tag, name)
            if name in ("href", "src"):
                assert url_scheme(value) in ("", "http", "https", "mailto", "tel"), (tag, value)
            if name == "class":
                assert set(value.split()) <= {"footnote", "footnote-ref", "footnote-backref"}, value
            if name == "id":
                assert value.startswith(("fn:", "fnref")), value


# ============================================================ what survives

def test_inline_markup_links_and_code():
    assert html('Plain *em*, **strong**, `code` and a [link](https://example.com/a?b=1&c=2 "Title").') == (
        '<p>Plain <em>em</em>, <strong>strong</strong>, <code>code</code> and a '
        '<a href="https://example.com/a?b=1&amp;c=2" title="Title" rel="noopener noreferrer">link</a>.</p>')


def test_tables_keep_column_alignment_as_align_not_style():
    assert html("""
        | Area  | Tested | Passed |
        |:------|:------:|-------:|
        | Loops | 1,214  | 1,214  |
        """) == dedent("""
        <table>
        <thead>
        <tr>
        <th align="left">Area</th>
        <th align="center">Tested</th>
        <th align="right">Passed</th>
        </tr>
        </thead>
        <tbody>
        <tr>
        <td align="left">Loops</td>
        <td align="center">1,214</td>
        <td align="right">1,214</td>
        </tr>
        </tbody>
        </table>""")


def test_lists_nest_and_ordered_lists_keep_their_start():
    assert html("""
        - one
        - two
            - nested

        3. three
        4. four
        """) == dedent("""
        <ul>
        <li>one</li>
        <li>two<ul>
        <li>nested</li>
        </ul>
        </li>
        </ul>
        <ol start="3">
        <li>three</li>
        <li>four</li>
        </ol>""")


def test_links_of_every_allowed_kind_survive():
    assert html("[Other update](../2026-03-kickoff/) · [mail](mailto:pm@example.com) · "
                "[call](tel:+442079460101) · <https://example.com/> · [top](#fn:1)") == (
        '<p><a href="../2026-03-kickoff/" rel="noopener noreferrer">Other update</a> · '
        '<a href="mailto:pm@example.com" rel="noopener noreferrer">mail</a> · '
        '<a href="tel:+442079460101" rel="noopener noreferrer">call</a> · '
        '<a href="https://example.com/" rel="noopener noreferrer">https://example.com/</a> · '
        '<a href="#fn:1" rel="noopener noreferrer">top</a></p>')


def test_images_relative_and_https_survive_with_size():
    out = render("""
        ![Plan](images/plan.png "The plan"){: width=640 height=480 }
        ![Logo](https://cdn.example/logo.png)
        """)
    assert out.html == (
        '<p><img alt="Plan" height="480" src="images/plan.png" title="The plan" width="640">\n'
        '<img alt="Logo" src="https://cdn.example/logo.png"></p>')
    assert out.images == ("images/plan.png",)   # remote images are not the caller's to copy


def test_image_list_is_relative_paths_in_order_without_duplicates():
    out = render("![a](img/a.png) ![b](b.jpg) ![again](img/a.png) ![r](https://x.example/r.png) ![n](./n/../c.gif)")
    assert out.images == ("img/a.png", "b.jpg", "./n/../c.gif")


@pytest.mark.parametrize("src", [
    "../secret.png", "a/../../secret.png", "%2e%2e/secret.png", "img\\\\..\\\\..\\\\secret.png",
    "/etc/passwd", "//evil.example/x.png", "file:///etc/passwd", "ftp://example.com/x.png", "..",
])
def test_images_that_leave_the_update_folder_are_replaced_by_their_alt_text(src):
    out = render(f"Before ![the alt]({src}) after")
    assert out.html == "<p>Before the alt after</p>"
    assert out.images == ()


def test_headings_shift_so_that_hash_is_h2():
    assert html("""
        # Summary
        Text.

        ## Details

        ###### Deep
        """) == "<h2>Summary</h2>\n<p>Text.</p>\n<h3>Details</h3>\n<h6>Deep</h6>"


def test_setext_headings_shift_too():
    assert html("""
        Title
        =====

        Sub
        ---
        """) == "<h2>Title</h2>\n<h3>Sub</h3>"


def test_a_body_already_starting_at_h2_is_left_as_written():
    assert html("""
        ## Already h2

        ### h3
        """) == "<h2>Already h2</h2>\n<h3>h3</h3>"


def test_code_quotes_rules_breaks_definitions_and_abbreviations():
    assert html("""
        ```python
        print("<b>")
        ```

        > Quoted
        > text

        ---

        Line one··
        line two

        Term
        :   Definition

        The HTML spec.

        *[HTML]: Hyper Text Markup Language
        """.replace("··", "  ")) == dedent("""
        <pre><code>print("&lt;b&gt;")
        </code></pre>
        <blockquote>
        <p>Quoted
        text</p>
        </blockquote>
        <hr>
        <p>Line one<br>
        line two</p>
        <dl>
        <dt>Term</dt>
        <dd>Definition</dd>
        </dl>
        <p>The <abbr title="Hyper Text Markup Language">HTML</abbr> spec.</p>""")


def test_footnotes_keep_their_anchors_and_material_classes():
    # 2168dee3: the text's own prefix (its SHA-256), so that texts sharing a page share no id (tests/test_links.py)
    assert html("""
        Cut-over moved[^1].

        [^1]: Vendor delay.
        """) == dedent("""
        <p>Cut-over moved<sup id="fnref:2168dee3-1"><a class="footnote-ref" href="#fn:2168dee3-1" rel="noopener noreferrer">1</a></sup>.</p>
        <div class="footnote">
        <hr>
        <ol>
        <li id="fn:2168dee3-1">
        <p>Vendor delay.&nbsp;<a class="footnote-backref" href="#fnref:2168dee3-1" title="Jump back to footnote 1 in the text" rel="noopener noreferrer">↩</a></p>
        </li>
        </ol>
        </div>""")


def test_plain_text_has_blocks_on_lines_and_no_footnotes():
    out = render("""
        # Summary

        The *cut-over*   moved[^1] to
        **Saturday** & Sunday.

        - one
        - two

        | Area | Done |
        |------|------|
        | Loops | yes |

        Shown as typed: <b>not bold</b>

        [^1]: Vendor delay.
        """)
    assert out.text == ("Summary\n\nThe cut-over moved to Saturday & Sunday.\n\none\ntwo\n\n"
                        "Area Done\nLoops yes\n\nShown as typed: <b>not bold</b>")


def test_same_input_gives_the_same_bytes():
    text = dedent("""
        # A

        | a | b |
        |:-|-:|
        | 1 | 2 |

        ![x](x.png){: width=1 height=2 title="t" } [l](https://e.example/ "t")[^n]

        [^n]: note
        """)
    first, second = MarkdownRenderer().render(text), MarkdownRenderer().render(text)
    assert first == second
    assert first.html.encode() == second.html.encode()


def test_line_endings_and_control_characters_do_not_matter():
    assert html("a\r\nb\x00\x02\x03\x1b") == html("a\nb")


# ================================================== what never gets through

XSS = {
    "script tag": "<script>alert(1)</script>",
    "img onerror": '<img src=x onerror="alert(1)">',
    "raw javascript link": '<a href="javascript:alert(1)">x</a>',
    "raw tab-obfuscated link": '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "markdown javascript link": "[x](javascript:alert(1))",
    "mixed case scheme": "[x](JaVaScRiPt:alert(1))",
    "tab entity in scheme": "[x](jav&#x09;ascript:alert(1))",
    "decimal entity in scheme": "[x](&#106;avascript:alert(1))",
    "hex entity in scheme": "[x](&#x6A;avascript:alert(1))",
    "control character before scheme": "[x](\x01javascript:alert(1))",
    "vbscript": "[x](vbscript:msgbox(1))",
    "data link": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "data image": "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "javascript image": "![x](javascript:alert(1))",
    "reference link": "[x][r]\n\n[r]: javascript:alert(1)",
    "autolink": "<javascript:alert(1)>",
    "svg onload": "<svg onload=alert(1)>",
    "iframe": '<iframe src="https://evil.example/"></iframe>',
    "style": "<style>body { display: none }</style>",
    "form": '<form action="https://evil.example/"><input name="password"></form>',
    "object and embed": '<object data="https://evil.example/x.swf"></object><embed src="x.swf">',
    "comment": "<!-- <script>alert(1)</script> -->",
    "md_in_html": '<div markdown="1" onclick="alert(1)">*x*</div>',
    "attr_list onclick on a paragraph": 'Click me\n{: onclick="alert(1)" }',
    "attr_list onclick on a link": '[x](https://ok.example/){: onclick="alert(1)" }',
    "attr_list href on a link": '[x](https://ok.example/){: href="javascript:alert(1)" }',
    "attr_list src on an image": '![x](ok.png){: src="javascript:alert(1)" onerror="alert(1)" }',
    "attr_list class, id, style": 'Para\n{: .md-button #__search class="md-typeset" style="position:fixed" }',
    "attr_list on a heading": '# Title {: onmouseover="alert(1)" .md-header }',
    "attr_list on a table cell image": '| a |\n|---|\n| ![x](y.png){: onload="alert(1)" } |',
}


@pytest.mark.parametrize("markdown_text", XSS.values(), ids=XSS.keys())
def test_xss_vectors_are_neutralised(markdown_text):
    out = RENDERER.render(markdown_text)
    assert_safe(out.html)
    # No attribute anywhere mentions a script scheme, however it is spelled.
    for _, attrs in elements(out.html):
        assert not any("script" in url_scheme(v) for v in attrs.values())


@pytest.mark.parametrize("raw", [
    "<script>alert(1)</script>", '<img src=x onerror="alert(1)">', "<svg onload=alert(1)>",
    '<iframe src="https://evil.example/"></iframe>', "<style>p{}</style>", '<form><input></form>',
])
def test_raw_html_is_shown_as_text_never_interpreted(raw):
    out = RENDERER.render(raw)
    assert elements(out.html) == [("p", {})]
    assert out.text == raw


def test_unsafe_links_keep_their_text():
    assert html("See [the plan](javascript:alert(1)) today.") == "<p>See the plan today.</p>"


def test_attr_list_cannot_add_classes_ids_or_styles():
    assert html("""
        Para
        {: .md-button #__search class="md-typeset" style="position:fixed" data-x="1" }
        """) == "<p>Para</p>"


def test_the_sanitiser_alone_catches_what_markdown_never_produces():
    """absolutize() re-sanitises arbitrary HTML with the same allow-list: the
    backstop behind the Markdown-level checks."""
    fragment = ('<a href="jav&#x09;ascript:alert(1)">x</a><a href="&#14;javascript:alert(1)">y</a>'
                '<img src=x onerror=alert(1)><script>alert(1)</script><svg onload=alert(1)><circle/></svg>'
                '<p style="position:fixed" class="md-button" id="main" onclick="alert(1)">t</p>'
                '<a href="data:text/html,x">d</a><img src="../../etc/passwd"><iframe src="//x"></iframe>'
                '<h1>Big</h1><form action="/x"><input></form>')
    out = absolutize(fragment, "https://status.example/acme/")
    assert_safe(out)
    assert out == ('<a rel="noopener noreferrer">x</a><a rel="noopener noreferrer">y</a>'
                   '<img src="https://status.example/acme/x"><p>t</p>'
                   '<a rel="noopener noreferrer">d</a><img>Big')


# ============================================================ feeds

def test_absolutize_links_and_images_against_the_page_url():
    fragment = RENDERER.render(
        "[next](../next/) [spec](spec.pdf) [site](/about/) ![plan](images/plan.png) "
        "[ext](https://example.com/x) [mail](mailto:a@example.com) [tel](tel:+1) [note](#fn:1) "
        "![cdn](https://cdn.example/a.png)").html
    out = absolutize(fragment, "https://status.example/acme/erp/kickoff/")
    hrefs = [a.get("href") or a.get("src") for tag, a in elements(out) if tag in ("a", "img")]
    assert hrefs == [
        "https://status.example/acme/erp/next/",
        "https://status.example/acme/erp/kickoff/spec.pdf",
        "https://status.example/about/",
        "https://status.example/acme/erp/kickoff/images/plan.png",
        "https://example.com/x",
        "mailto:a@example.com",
        "tel:+1",
        "#fn:1",
        "https://cdn.example/a.png",
    ]
    assert_safe(out)


def test_absolutize_leaves_a_fragment_without_relative_urls_unchanged():
    fragment = RENDERER.render("[a](https://example.com/) and *b*\n\n| x |\n|:-:|\n| y |").html
    assert absolutize(fragment, "https://status.example/acme/") == fragment


@pytest.mark.parametrize("base", ["", "/acme/", "status.example/acme/", "javascript:alert(1)//", "ftp://x/"])
def test_absolutize_needs_an_absolute_http_base(base):
    with pytest.raises(ValueError):
        absolutize("<p>x</p>", base)


# ============================================================ excerpts

def test_excerpt_of_short_text_is_the_text_with_whitespace_collapsed():
    assert excerpt("  Cut-over\n\nmoved.  ") == "Cut-over moved."


def test_excerpt_keeps_whole_sentences_that_fit():
    text = "The test finished on 23 October. 38 screens have defects. " + "More detail follows here. " * 10
    assert excerpt(text, 80) == "The test finished on 23 October. 38 screens have defects."


def test_excerpt_cuts_a_long_first_sentence_on_a_word_boundary():
    text = "The factory acceptance test finished on 23 October, a week late, and found defects in screens."
    cut = excerpt(text, 40)
    assert cut == "The factory acceptance test finished on…"
    assert len(cut) <= 40


def test_excerpt_cuts_rather_than_return_a_tiny_first_sentence():
    text = "Hi. " + "word " * 100
    assert excerpt(text, 30) == "Hi. word word word word word…"


def test_excerpt_drops_punctuation_before_the_ellipsis():
    assert excerpt("Alpha, beta, gamma, delta, epsilon", 14) == "Alpha, beta…"


def test_excerpt_of_one_long_word_is_cut_inside_it():
    assert excerpt("x" * 50, 10) == "x" * 9 + "…"


@given(st.text(), st.integers(min_value=2, max_value=300))
def test_excerpt_never_exceeds_the_limit(text, limit):
    assert len(excerpt(text, limit)) <= limit


# ============================================================ bounded work

def outcome(function, *args):
    """What ``function(*args)`` returned, or the exception it raised. (How
    long these take is measured by scripts/bench, never asserted here.)"""
    try:
        return function(*args)
    except Exception as exc:  # noqa: BLE001 - returned for the caller to inspect
        return exc


def normal_update(size: int) -> str:
    """A long but ordinary update: sections, paragraphs with some markup,
    lists, small tables, code and quotes."""
    rng = random.Random(7)
    words = ("the cut-over plan finance team migration testing data vendor schedule risk we will on by "
             "with and of to in for is are was has been next week weekend server ledger report approval "
             "sign-off milestone training users access rollback window").split()

    def sentence() -> str:
        chosen = [rng.choice(words) for _ in range(rng.randint(8, 20))]
        text, r = " ".join(chosen), rng.random()
        if r < 0.15:
            text = text.replace(chosen[2], f"**{chosen[2]}**", 1)
        elif r < 0.25:
            text = text.replace(chosen[3], f"*{chosen[3]}*", 1)
        elif r < 0.32:
            text += f" (see [the plan](https://example.com/plan/{rng.randint(1, 99)}))"
        elif r < 0.38:
            text += f" `v{rng.randint(1, 9)}.{rng.randint(0, 9)}`"
        return text[0].upper() + text[1:] + "."

    blocks, length, section = [], 0, 0
    while length < size:
        r = rng.random()
        if r < 0.08:
            section += 1
            block = f"## Section {section}"
        elif r < 0.2:
            block = "\n".join(f"- {sentence()}" for _ in range(rng.randint(3, 7)))
        elif r < 0.25:
            block = "| Area | Count | Status |\n|---|--:|:-:|\n" + "\n".join(
                f"| {rng.choice(words)} | {rng.randint(1, 999)} | on track |" for _ in range(rng.randint(3, 12)))
        elif r < 0.27:
            block = "```\n" + "\n".join(f"step {i}: {rng.choice(words)}" for i in range(5)) + "\n```"
        elif r < 0.30:
            block = "> " + sentence()
        else:
            block = " ".join(sentence() for _ in range(rng.randint(2, 6)))
        blocks.append(block)
        length += len(block) + 2
    return "\n\n".join(blocks)[:size]


def test_a_100_kb_update_of_ordinary_markup_renders():
    text = normal_update(100_000)
    assert 99_000 <= len(text.encode()) <= 100_000
    assert isinstance(outcome(MarkdownRenderer().render, text), RenderedMarkdown)


def test_30000_brackets_are_refused_before_conversion():
    error = outcome(MarkdownRenderer().render, "[" * 30_000)
    assert isinstance(error, MarkdownTooComplex)
    assert "brackets" in str(error)


PATHOLOGICAL = {
    # name: (body, words the message must contain)
    "unclosed brackets": ("[" * 2_000, "brackets"),
    "nested brackets": ("[" * 1_500 + "a" + "](b)" * 1_500, "brackets"),
    "unclosed link targets": ("[a](" * 1_000, "brackets"),
    "unmatched backticks": (")\\```)```\\" * 800, "backticks"),
    "attribute braces": ("## {:## ## ]" * 3_000, "braces"),
    "headings without blank lines": ("# a\n" * 5_000, "headings"),
    "rules without blank lines": ("a\n***\n" * 3_000, "headings, rules"),
    "definitions without blank lines": ("a\n:   " * 3_000, "definitions"),
    "unclosed fences": ("```x\n" * 3_000, "fences"),
    "footnote references": ("a[^1] " * 1_000 + "\n\n[^1]: x\n", "footnotes"),
    "abbreviations": ("".join(f"*[A{i}]: x\n" for i in range(1_000)), "abbreviations"),
    "abbreviation expansion": ("*[A]: " + "x" * 5_000 + "\n\n" + "A " * 2_000, "expand"),
    "nested list markers": ("- " * 1_000 + "x", "nested"),
    "nested list indentation": ("".join("    " * i + "- a\n" for i in range(100)), "nested"),
    "nested quotes and lists": ("> - " * 200 + "x", "nested"),
    "many emphasis marks": ("*a* " * 20_000, "markup"),
    "many paragraphs": ("a\n\n" * 20_000, "markup"),
    "many table cells": ("|a|b|\n|-|-|\n" + "|a|b|\n" * 10_000, "markup"),
    "one huge paragraph of links": ("[a](b) " * 4_000, "markup"),
    "entities": ("}&" * 90_000, "markup"),
}


@pytest.mark.parametrize("body, words", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_bodies_are_refused_with_a_reason(body, words):
    assert len(body.encode()) <= MAX_BYTES
    error = outcome(MarkdownRenderer().render, body)
    assert isinstance(error, MarkdownTooComplex), error
    assert error.hint
    # render() raises the first problem; check() names them all.
    assert any(words in d.message for d in RENDERER.check(body, BODY))


def test_a_body_over_200_kb_is_refused():
    error = outcome(MarkdownRenderer().render, "word " * 50_000)
    assert isinstance(error, MarkdownTooLarge)
    assert str(error) == "update body is too large (244 KB; at most 200 KB)"


def test_a_huge_body_is_refused_by_its_size():
    error = outcome(MarkdownRenderer().render, "a" * 50_000_000)
    assert isinstance(error, MarkdownTooLarge)


def test_bodies_just_under_the_limits_still_render():
    """The other side of the limits: a body that passes the pre-check is
    converted (the worst shapes found while calibrating; scripts/bench
    times them)."""
    for body in ["[" * 500, "\\*[\\\\===" * 120, "# a\n" * 900, "```x\n" * 600, "a\n\n" * 5_000, "*a* " * 2_900,
                 "*a*\n\n" * 2_700,
                 "".join("    " * i + "- a\n" for i in range(20))]:
        result = outcome(MarkdownRenderer().render, body)
        assert isinstance(result, RenderedMarkdown), (body[:20], result)


@pytest.mark.parametrize("mark", list("-_*=#`[]()<>{}|&\\:!~+.'\"^"))
def test_the_precheck_reads_long_runs_of_any_mark(mark):
    """The pre-check's own regular expressions must not backtrack (a run of
    one mark is where they would; scripts/bench times these bodies)."""
    for body in [mark * 150_000, mark * 150_000 + "x", (mark + " ") * 75_000 + "x", (mark + "  ") * 50_000,
                 "a" + mark * 150_000 + "a", (mark + "a") * 75_000, (mark + "\n") * 75_000]:
        assert isinstance(prose.precheck(body), list), (mark, body[:8])


def test_a_recursion_error_that_slips_past_the_precheck_becomes_too_complex(monkeypatch):
    renderer = MarkdownRenderer()
    monkeypatch.setattr(prose, "MAX_NESTING", 10_000)       # let a deep list through
    error = outcome(renderer.render, "- " * 2_000 + "x")
    assert isinstance(error, MarkdownTooComplex)
    assert str(error) == "update body is too deeply nested to convert"
    assert renderer.check("- " * 2_000 + "x", BODY)[0].message == "update body is too deeply nested to convert"
    # The renderer is still usable afterwards.
    assert renderer.render("*fine*").html == "<p><em>fine</em></p>"


def test_a_python_markdown_crash_becomes_too_complex_too():
    """Python-Markdown 3.11 raises RuntimeError on these footnotes (found by fuzzing)."""
    renderer = MarkdownRenderer()
    error = outcome(renderer.render, "[^]:[^1]:\n[^^]:")
    assert isinstance(error, MarkdownTooComplex)
    assert str(error).startswith("update body could not be converted (RuntimeError: ")
    assert renderer.render("*fine*").html == "<p><em>fine</em></p>"


# ============================================================ conversion

def test_a_converter_remembers_nothing_between_texts():
    """Every text is converted afresh (a build keeps conversions itself, by
    the digest of the text); the same text gives equal results."""
    renderer = MarkdownRenderer()
    first = renderer.render("Some *text*")
    assert renderer.render("Some *text*") == first and renderer.conversions == 2
    assert renderer.render("Some *text*\r\n") == renderer.render("Some *text*\n")   # normalised alike


def test_module_level_helpers_use_one_converter():
    assert convert("x *y*") == convert("x *y*")
    assert check_markdown("x *y*", BODY) == []


# ============================================================ cxsite check

def test_check_of_a_clean_body_is_empty():
    assert RENDERER.check(normal_update(5_000), BODY) == []


def test_check_warns_about_what_will_not_be_shown_as_written():
    body = dedent("""
        All good.

        Call <b>now</b> or [run this](javascript:alert(1)).

        ![plan](../plan.png) and ![old](http://example.com/old.png)
        """)
    assert [d.format() for d in RENDERER.check(body, BODY)] == [
        "acme/erp/updates/2026-03-kickoff.md:11:1: warning: raw HTML '<b>' is shown as text, not interpreted"
        " (use Markdown: **bold**, a blank line for a paragraph, two trailing spaces for a line break)",
        "acme/erp/updates/2026-03-kickoff.md:11:1: warning: link to 'javascript:alert(1)' removed"
        " (only http, https, mailto and tel links are allowed) (link to a web page or write the address as text)",
        "acme/erp/updates/2026-03-kickoff.md:13:1: warning: image '../plan.png' removed"
        " (images must be https URLs or paths inside the update's folder)"
        " (put the image next to the update file and refer to it by a relative path, e.g. images/plan.png)",
        "acme/erp/updates/2026-03-kickoff.md:13:1: warning: image 'http://example.com/old.png' is loaded"
        " over plain http; browsers may block it (use https, or copy the image next to the update)",
    ]
    assert all(d.severity is Severity.WARNING for d in RENDERER.check(body, BODY))


def test_check_reports_every_limit_a_body_exceeds_as_errors_at_their_line():
    body = "Intro.\n\n" + "- " * 30 + "deep\n\n" + "[" * 11_000 + "\n"
    diagnostics = RENDERER.check(body, BODY)
    assert all(d.severity is Severity.ERROR for d in diagnostics)
    messages = {d.message.split(" (")[0]: d.location.line for d in diagnostics}
    assert messages["update body has too many brackets"] == 9            # the body as a whole
    assert messages["update body is too deeply nested"] == 9 + 2        # third line of the body


def test_check_of_a_too_large_body_is_one_error_on_the_body():
    [diagnostic] = RENDERER.check("x" * (MAX_BYTES + 1), BODY)
    assert diagnostic.format() == (
        "acme/erp/updates/2026-03-kickoff.md:9:1: error: update body is too large (200 KB; at most 200 KB)"
        " (split it into several updates, or link to a document instead of pasting it)")


def test_too_complex_becomes_a_diagnostic_at_the_body():
    error = MarkdownTooComplex("update body is too deeply nested", "flatten it", line=3)
    assert error.diagnostic(BODY).format() == (
        "acme/erp/updates/2026-03-kickoff.md:11:1: error: update body is too deeply nested (flatten it)")
    assert error.diagnostic(Location("u.md")).location == Location("u.md")
    assert isinstance(error, ValueError)


# ============================================================ properties

MARKDOWN_PIECES = st.sampled_from([
    "[", "]", "(", ")", "![", "](", "<", ">", "> ", "*", "**", "_", "`", "```", "~~~", "# ", "## ",
    "- ", "1. ", ":   ", "|", "|-|", "---", "===", "\n", "\n\n", "    ", "\t", " ", "word", "&", "&amp;",
    "&#", "&#x09;", ";", "\\", "{:", "}", '{: onclick="alert(1)" }', "{: .md-button #x }", "*[", "]: ",
    "[^1]", "[^1]: ", '"', "'", "javascript:", "jav&#x09;ascript:", "data:", "vbscript:", "JaVaScRiPt:",
    "<script>", "</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>", "<iframe>",
    "<a href=\"javascript:alert(1)\">", "http://x.example/", "../", "/", "x.png", "<!--", "-->",
    '<div markdown="1">', "</div>", "\x00", "\x02", "\x03", "\r",
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(MARKDOWN_PIECES, st.text(max_size=8)), max_size=80).map("".join))
def test_any_text_renders_safely_or_is_refused(text):
    try:
        out = RENDERER.render(text)
    except MarkdownTooComplex:
        return
    assert_safe(out.html)
    assert MarkdownRenderer().render(text) == out          # deterministic, cache or not
    assert all(not src.startswith(("/", "..")) and ":" not in src.split("/")[0] for src in out.images)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_unicode_renders_safely_or_is_refused(text):
    try:
        out = RENDERER.render(text)
    except MarkdownTooComplex:
        return
    assert_safe(out.html)
    assert_safe(absolutize(out.html, "https://status.example/acme/"))
