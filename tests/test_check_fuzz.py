"""Random edits to portfolio YAML never crash `cxsite check`: they load, or
they give diagnostics (hypothesis)."""

from __future__ import annotations

import shutil

from hypothesis import HealthCheck, given, settings, strategies as st

from cxsite.diagnostics import Diagnostic
from cxsite.views.rules import check_portfolio

from .conftest import CUSTOMER, PROJECT, TEAM, UPDATE

SOURCES = {
    "team.yml": TEAM,
    "acme/customer.yml": CUSTOMER,
    "acme/erp/project.yml": PROJECT,
    "acme/erp/updates/kickoff.md": UPDATE,
}
NASTY = ["", " ", ":", "- ", "[", "]", "{", "}", "&a", "*a", "!!binary", "|", ">", "#", "'", '"', "\t", "null",
         "~", "yes", "2026-02-30", "24:00", "-1", "1e999", "ü", "\u202e", "<script>", "---", "...", "%YAML 1.1",
         "? ", "\\", "\0", "0x1F", ".inf", "2026-10-24T22:00+25:00"]

edit = st.tuples(
    st.sampled_from(sorted(SOURCES)),
    st.sampled_from(["replace_value", "delete_line", "duplicate_line", "insert", "indent", "dedent"]),
    st.integers(min_value=0, max_value=40),
    st.one_of(st.sampled_from(NASTY), st.text(max_size=12)),
)


def apply(text: str, operation: str, index: int, token: str) -> str:
    lines = text.split("\n")
    i = index % len(lines)
    line = lines[i]
    if operation == "replace_value" and ":" in line:
        lines[i] = line.split(":", 1)[0] + ": " + token
    elif operation == "delete_line":
        del lines[i]
    elif operation == "duplicate_line":
        lines.insert(i, line)
    elif operation == "insert":
        position = index % (len(line) + 1)
        lines[i] = line[:position] + token + line[position:]
    elif operation == "indent":
        lines[i] = "  " + line
    elif operation == "dedent":
        lines[i] = line[2:] if line.startswith("  ") else line
    return "\n".join(lines)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(edit, min_size=1, max_size=4))
def test_random_edits_never_raise(tmp_path_factory, edits):
    root = tmp_path_factory.mktemp("fuzz")
    texts = dict(SOURCES)
    for name, operation, index, token in edits:
        texts[name] = apply(texts[name], operation, index, token)
    for name, text in texts.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.replace("\0", "\\0") if "\0" in text else text, encoding="utf-8",
                        errors="surrogatepass")
    diagnostics = check_portfolio(root)
    assert all(isinstance(d, Diagnostic) and d.location.path and d.message for d in diagnostics)
    shutil.rmtree(root)
