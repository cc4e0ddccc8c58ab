"""The quick look at every portfolio file (cxsite/scan.py) that tells a
build what changed without reading anything."""

from __future__ import annotations

import os

from cxsite.scan import scan_portfolio, tree_digest


def test_an_edit_changes_its_own_customers_digest_only(tmp_path):
    for name in ("acme", "beta"):
        (tmp_path / name / "erp" / "updates").mkdir(parents=True)
        (tmp_path / name / "customer.yml").write_text("name: x\n")
        (tmp_path / name / "erp" / "updates" / "kickoff.md").write_text("We started.\n")
    (tmp_path / "team.yml").write_text("people: {}\n")
    before = scan_portfolio(tmp_path)
    (tmp_path / "acme" / "erp" / "updates" / "kickoff.md").write_text("We started on time.\n")
    after = scan_portfolio(tmp_path)
    assert after.folders["acme"] != before.folders["acme"] and after.folders["beta"] == before.folders["beta"]
    assert after.top == before.top and after.signature != before.signature


def test_hidden_files_are_not_looked_at(tmp_path):
    (tmp_path / "acme").mkdir()
    before = tree_digest(tmp_path / "acme")
    (tmp_path / "acme" / ".DS_Store").write_text("x")
    assert tree_digest(tmp_path / "acme") == before


def test_a_linked_folder_is_followed_and_a_link_back_up_is_walked_once(tmp_path):
    shared = tmp_path / "shared-images"
    shared.mkdir()
    (shared / "logo.svg").write_text("<svg/>")
    acme = tmp_path / "acme"
    acme.mkdir()
    os.symlink(shared, acme / "images")
    os.symlink(acme, acme / "images-again")  # a loop: acme/images-again/images-again/...
    before = tree_digest(acme)
    (shared / "logo.svg").write_text("<svg><rect/></svg>")
    assert tree_digest(acme) != before
