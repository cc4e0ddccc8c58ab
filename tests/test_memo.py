"""Results kept between runs (cxsite/memo.py): reused only for the same
input and the same code, never growing, never failing a build."""

from __future__ import annotations

from cxsite.memo import DiskMemo, digest, make_versioned_folder


def test_a_memo_returns_what_an_earlier_run_put_for_the_same_key(tmp_path):
    first = DiskMemo(tmp_path / "markdown-abc" / "acme--everyone.pickle")
    assert first.get(digest("body")) is None
    first.put(digest("body"), "<p>body</p>")
    first.save()
    second = DiskMemo(tmp_path / "markdown-abc" / "acme--everyone.pickle")
    assert second.get(digest("body")) == "<p>body</p>" and second.get(digest("other")) is None


def test_a_memo_keeps_only_what_the_last_run_used(tmp_path):
    path = tmp_path / "events-abc" / "dashboard.pickle"
    memo = DiskMemo(path)
    memo.put(b"old", 1)
    memo.put(b"kept", 2)
    memo.save()
    again = DiskMemo(path)
    assert again.get(b"kept") == 2
    again.save()
    assert DiskMemo(path).get(b"old") is None and DiskMemo(path).get(b"kept") == 2


def test_an_unreadable_memo_is_ignored_and_an_unwritable_one_skipped(tmp_path):
    path = tmp_path / "markdown-abc" / "x.pickle"
    path.parent.mkdir()
    path.write_bytes(b"not a pickle")
    memo = DiskMemo(path)
    assert memo.get(b"key") is None
    blocked = DiskMemo(tmp_path / "a-file" / "x.pickle")
    (tmp_path / "a-file").write_text("in the way")
    blocked.put(b"key", 1)
    blocked.save()  # no exception: a cache never fails a build


def test_caching_off_keeps_results_for_this_run_only(tmp_path, monkeypatch):
    monkeypatch.setenv("CXSITE_CACHE", "0")
    memo = DiskMemo.named("markdown", tmp_path, "acme/everyone", "1.0")
    assert memo.path is None
    memo.put(b"key", 1)
    memo.save()
    assert DiskMemo.named("markdown", tmp_path, "acme/everyone", "1.0").get(b"key") is None


def test_memos_of_two_portfolios_with_the_same_site_keys_are_kept_apart(tmp_path):
    one = DiskMemo.named("markdown", tmp_path / "one", "acme/everyone", "1.0")
    two = DiskMemo.named("markdown", tmp_path / "two", "acme/everyone", "1.0")
    assert one.path is not None and one.path.parent == two.path.parent and one.path != two.path
    assert DiskMemo.named("markdown", tmp_path / "one", "acme/everyone", "1.0").path == one.path


def test_a_memo_that_cannot_be_pickled_is_skipped_without_leaving_files(tmp_path):
    memo = DiskMemo(tmp_path / "events-abc" / "x.pickle")
    memo.put(b"key", lambda: None)  # not picklable
    memo.save()
    assert list((tmp_path / "events-abc").iterdir()) == []


def test_a_new_version_removes_the_folders_of_older_versions_of_its_kind_only(tmp_path):
    for name in ("markdown-old1", "markdown-old2", "events-old", "verified-old", "markdownish-1"):
        (tmp_path / name).mkdir()
    (tmp_path / "events-older.pickle").write_bytes(b"")
    make_versioned_folder(tmp_path / "markdown-new")
    make_versioned_folder(tmp_path / "events-new")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "events-new", "markdown-new", "markdownish-1", "verified-old"]
    (tmp_path / "markdown-new" / "kept.pickle").write_bytes(b"")
    make_versioned_folder(tmp_path / "markdown-new")  # existing: nothing removed
    assert (tmp_path / "markdown-new" / "kept.pickle").exists()
