"""Subscribers' real software: Debian's newsboat (feed reader) and khal
(calendar) read what cxsite writes, and a reader never gets an old item
again after an update is retitled, renamed or moved."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import os
import shutil
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest

from cxsite.build import build_portfolio

from .conftest import REPO, UPDATE

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)


def require(program: str) -> str:
    path = shutil.which(program)
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail(f"{program} is not installed; scripts/test installs it")
    pytest.skip(f"{program} is not installed; run scripts/test")


@pytest.fixture
def http_root(tmp_path):
    root = tmp_path / "www"
    root.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


class Newsboat:
    """newsboat driven from the command line with its own cache."""

    def __init__(self, folder: Path, url: str):
        self.program = require("newsboat")
        self.folder = folder
        (folder / "urls").write_text(url + "\n")
        (folder / "config").write_text("")

    def reload(self) -> str:
        result = subprocess.run([self.program, "-u", str(self.folder / "urls"), "-c", str(self.folder / "cache.db"),
                                 "-C", str(self.folder / "config"), "-x", "reload", "print-unread"],
                                capture_output=True, text=True, timeout=60, env={**os.environ, "HOME": str(self.folder)})
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def items(self) -> list[tuple[str, str]]:
        with sqlite3.connect(self.folder / "cache.db") as db:
            return db.execute("select guid, title from rss_item order by pubDate").fetchall()

    def mark_all_read(self) -> None:
        with sqlite3.connect(self.folder / "cache.db") as db:
            db.execute("update rss_item set unread = 0")


_PUBLISHED = [0]


def publish(portfolio_root: Path, www: Path) -> None:
    """Build and copy to the web root. Each publish gets later file times:
    the test server answers If-Modified-Since at one-second resolution, and
    two publishes within one second must not look unchanged to the reader."""
    out = www.parent / "site"
    build_portfolio(portfolio_root, out, config_file=REPO / "mkdocs.yml", cutoff=NOW)
    shutil.rmtree(www)
    shutil.copytree(out, www)
    _PUBLISHED[0] += 1
    stamp = time.time() + 10 * _PUBLISHED[0]
    for path in www.rglob("*"):
        os.utime(path, (stamp, stamp))


def test_newsboat_reads_the_demo_feed(demo_site, http_root, tmp_path):
    import feedparser

    www, base = http_root
    shutil.rmtree(www)
    shutil.copytree(demo_site, www)
    reader = Newsboat(tmp_path, base + "northbridge-health/executives/feed.xml")
    expected = feedparser.parse((demo_site / "northbridge-health/executives/feed.xml").read_bytes())
    assert reader.reload() == f"{len(expected.entries)} unread articles"
    titles = {title for _, title in reader.items()}
    assert "Weekly update: pathology extract received, December upgrade confirmed" in titles


def test_a_retitled_renamed_and_moved_update_is_not_delivered_again(portfolio, http_root, tmp_path):
    www, base = http_root
    root = portfolio()
    publish(root, www)
    reader = Newsboat(tmp_path, base + "acme/everyone/feed.xml")
    first = reader.reload()
    reader.mark_all_read()
    guids = {guid for guid, _ in reader.items()}

    (root / "acme/erp/updates/kickoff.md").rename(root / "acme/erp/updates/project-started.md")
    (root / "acme/erp/updates/project-started.md").write_text(
        UPDATE.replace("title: Kick-off", "title: Project started").replace("2026-01-06T09:30", "2026-02-02T10:00"))
    publish(root, www)
    assert reader.reload() == "0 unread articles"
    assert {guid for guid, _ in reader.items()} == guids
    assert first.endswith("unread articles")

    (root / "acme/erp/updates/news.md").write_text(UPDATE.replace("u-kickoff", "u-news").replace(
        "title: Kick-off", "title: Real news").replace("2026-01-06T09:30", "2026-11-20T10:00"))
    publish(root, www)
    assert reader.reload() == "1 unread articles"


def khal(folder: Path, *args: str) -> str:
    program = require("khal")
    config = folder / "khal.conf"
    if not config.exists():
        (folder / "cal").mkdir()
        config.write_text(f"""[calendars]
[[cx]]
path = {folder / 'cal'}
type = calendar
[locale]
local_timezone = Europe/London
default_timezone = Europe/London
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
[sqlite]
path = {folder / 'khal.db'}
""")
    result = subprocess.run([program, "-c", str(config), *args], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "HOME": str(folder)})
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_khal_shows_a_disruption_across_the_clock_change_at_the_right_local_times(demo_site, tmp_path):
    khal(tmp_path, "import", "--batch", "-a", "cx",
         str(demo_site / "northbridge-health/executives/projects/epr-rollout/calendar.ics"))
    listing = khal(tmp_path, "list", "--format", "{start} {end} {title} [{status}]", "2027-03-27", "2027-03-29")
    # 22:00 GMT Saturday to 06:00 BST Sunday: seven hours of real time across the change.
    assert "2027-03-27 22:00 2027-03-28 06:00 Electronic patient record roll-out: Wave 2 cut-over" in listing


def test_khal_marks_a_cancelled_disruption_cancelled(demo_site, tmp_path):
    khal(tmp_path, "import", "--batch", "-a", "cx",
         str(demo_site / "northbridge-health/finance/projects/finance-erp/calendar.ics"))
    listing = khal(tmp_path, "list", "--format", "{title} [{status}]", "2026-12-01", "2026-12-31")
    cancelled = [line for line in listing.splitlines() if "CANCELLED" in line]
    assert cancelled and all("Cancelled" in line for line in cancelled), listing
