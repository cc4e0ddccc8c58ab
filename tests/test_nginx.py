"""The published folder behind the real nginx: private microsites ask for
their customer's password, and only that customer's password opens them;
the password files and nginx.conf live outside the web root."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from cxsite.build import build_portfolio
from cxsite.publish import publish
from cxsite.model.load import load_portfolio

from .conftest import DEMO, PROJECT, REPO, TEAM, UPDATE, write_tree

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)

pytestmark = pytest.mark.skipif(not os.access(NGINX, os.X_OK),
                                reason="nginx is not installed (apt-get install nginx-light)")


def customer(name: str, slug: str) -> str:
    return f"""\
name: {name}
timezone: Europe/London
cx_owner: ana
primary_contacts:
  - person: ana
    handles: Everything
site: {{base_url: "https://status.example/{slug}/", access: private}}
"""


PASSWORDS = {"CXSITE_PASSWORD_ACME": "ana:acme-pass", "CXSITE_PASSWORD_GLOBEX": "gil:globex-pass\nhal:h4l"}
ACME, GLOBEX, STRANGER = ("ana", "acme-pass"), ("gil", "globex-pass"), ("eve", "guess")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_listening(port: int, process: subprocess.Popen, log: Path, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"nginx exited with {process.returncode}: {log.read_text() if log.exists() else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"nginx did not listen on {port} within {seconds} s")


#: The user a stock Debian nginx's workers run as; when the tests run as root
#: (CI), nginx runs its workers as this user too, so they read only what the
#: real server could.
WORKERS = "www-data"


def workers_group() -> str | None:
    """The group nginx's workers run as here (None: as the user running the tests)."""
    import grp

    if os.geteuid() != 0:
        return None
    try:
        grp.getgrnam(WORKERS)
    except KeyError:
        pytest.skip(f"no {WORKERS} group here (apt-get install nginx-light creates it)")
    return WORKERS


@pytest.fixture(scope="module")
def work():
    """A folder the workers can reach (pytest's own are its user's only), as /srv is on a server."""
    folder = Path(tempfile.mkdtemp(prefix="cxsite-nginx-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def nginx(work: Path, server: str):
    """A real nginx on loopback serving ``server`` (the inside of a server
    block) with Debian's mime.types, its workers as a stock server runs
    them; yields its base URL."""
    port = free_port()
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    group = workers_group()
    user = f"user {WORKERS} {group};" if group else ""
    temp = "\n".join(f"    {kind}_temp_path {work}/{kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    config = work / "nginx.conf"
    config.write_text(f"""
{user}
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 64; }}
http {{
    {mime}
    access_log {work}/access.log;
{temp}
    server {{
        listen 127.0.0.1:{port};
        {server}
    }}
}}
""")
    process = subprocess.Popen([NGINX, "-p", str(work), "-e", str(work / "error.log"), "-c", str(config),
                                "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_listening(port, process, work / "error.log")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture(scope="module")
def server(tmp_path_factory, work):
    root = write_tree(tmp_path_factory.mktemp("p") / "projects", {
        "team.yml": TEAM,
        "acme/customer.yml": customer("Acme & Co", "acme"), "acme/erp/project.yml": PROJECT,
        "acme/erp/updates/kickoff.md": UPDATE,
        "globex/customer.yml": customer("Globex Corporation", "globex"),
        "globex/plant/project.yml": PROJECT.replace("ERP roll-out", "Plant automation"),
        "globex/plant/updates/kickoff.md": UPDATE})
    site = tmp_path_factory.mktemp("nginx") / "site"
    build_portfolio(root, site, config_file=REPO / "mkdocs.yml", cutoff=NOW)
    work = work / "private"
    work.mkdir()
    dest = work / "www"
    server_config = work / "server-config"
    result = publish(site, f"folder:{dest}", load_portfolio(root)[0], environ=PASSWORDS,
                     server_config=server_config, server_group=workers_group())
    assert result.server_config == str(server_config)
    assert not any(p.suffix == ".htpasswd" or p.name == "nginx.conf" for p in dest.rglob("*"))

    with nginx(work, f"root {dest};\n        include {server_config}/nginx.conf;") as url:
        yield url


def get(url: str, credentials: tuple[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url)
    if credentials:
        token = base64.b64encode(":".join(credentials).encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode("utf-8", "replace")


def test_a_private_microsite_asks_for_a_password(server):
    status, headers, _ = get(f"{server}/acme/everyone/")
    assert status == 401
    assert headers["WWW-Authenticate"] == 'Basic realm="acme"'


def test_the_customers_password_opens_its_microsite(server):
    status, headers, body = get(f"{server}/acme/everyone/", ACME)
    assert status == 200 and "Acme &amp; Co" in body
    assert headers["X-Robots-Tag"] == "noindex, nofollow"
    assert get(f"{server}/acme/everyone/calendar.ics", ACME)[0] == 200
    assert get(f"{server}/globex/everyone/", ("hal", "h4l"))[0] == 200   # a second user of globex


def test_another_customers_password_does_not(server):
    assert get(f"{server}/acme/everyone/", GLOBEX)[0] == 401
    assert get(f"{server}/globex/everyone/", ACME)[0] == 401
    assert get(f"{server}/globex/everyone/feed.xml", STRANGER)[0] == 401
    assert get(f"{server}/acme/everyone/", ("ana", "acme-pass-not"))[0] == 401


def test_password_files_are_readable_by_the_servers_workers_and_nobody_else(server, work):
    """The workers (www-data) read each customer's password file on every
    request, so it belongs to their group, mode 0640, in a folder only they
    and its owner may enter; the next publish keeps it so."""
    import grp
    import stat

    config = work / "private" / "server-config"
    group = workers_group()
    files = sorted(config.glob("*.htpasswd"))
    assert [path.name for path in files] == ["acme.htpasswd", "globex.htpasswd"]
    for path in (config, *files):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o007 == 0, (path, oct(mode))            # nothing for other users
        assert mode & 0o040, (path, oct(mode))                  # the group reads
        if group:
            assert grp.getgrgid(path.stat().st_gid).gr_name == group, path
    assert get(f"{server}/acme/everyone/", ACME)[0] == 200        # and the workers do read it


def test_password_files_and_server_configuration_are_never_served(server):
    for path in ("/_access/acme.htpasswd", "/_access/nginx.conf", "/_headers", "/.htaccess",
                 "/../server-config/acme.htpasswd", "/%2e%2e/server-config/nginx.conf",
                 "/server-config/acme.htpasswd", "/acme.htpasswd", "/nginx.conf", "/cxsite-publish.json"):
        assert get(server + path)[0] in (400, 404), path
    assert get(f"{server}/acme/everyone/.htaccess", ACME)[0] == 404


def test_robots_and_the_microsites_own_404_page(server):
    status, _, robots = get(f"{server}/robots.txt")
    assert status == 200 and robots.rstrip().endswith("Disallow: /") and "acme" not in robots
    status, _, body = get(f"{server}/acme/everyone/no/such/page/", ACME)
    assert status == 404 and "Acme &amp; Co" in body          # the microsite's 404.html, behind its password
    assert get(f"{server}/acme/everyone/no/such/page/")[0] == 401


@pytest.fixture(scope="module")
def stock_server(demo_site, work):
    """The demo's site behind nginx as Debian configures it out of the box:
    its mime.types (``.xml`` is ``text/xml``, no charset) and nothing of cxsite's."""
    work = work / "stock"
    shutil.copytree(demo_site, work / "site")
    for folder, _, names in os.walk(work / "site"):   # as a deploy would copy it: readable by the workers
        os.chmod(folder, 0o755)
        for name in names:
            os.chmod(Path(folder, name), 0o644)
    with nginx(work, f"root {work / 'site'};") as url:
        yield url


@pytest.mark.skipif(not Path("/etc/nginx/mime.types").exists(), reason="needs Debian's /etc/nginx/mime.types")
def test_every_demo_feed_reads_without_a_fault_from_a_stock_nginx(demo_site, stock_server):
    """Stock nginx sends text/xml without a charset, which RFC 3023 reads as
    US-ASCII: feeds are ASCII bytes with character references, so readers
    see "£" and en dashes right and report nothing (bozo 0)."""
    import feedparser

    feeds = [path for path in sorted(demo_site.rglob("*.xml")) if path.name != "sitemap.xml"]
    assert len(feeds) > 10
    non_ascii = 0
    for path in feeds:
        url = f"{stock_server}/{path.relative_to(demo_site).as_posix()}"
        with urllib.request.urlopen(url, timeout=5) as response:
            headers, body = dict(response.headers), response.read()
        assert headers["Content-Type"].startswith("text/xml"), url     # what stock nginx says
        parsed = feedparser.parse(body, response_headers={k.lower(): v for k, v in headers.items()})
        assert not parsed.bozo, (url, parsed.get("bozo_exception"))
        non_ascii += any(ord(char) > 127 for entry in parsed.entries for char in entry.get("title", "")
                         + entry.get("summary", "")) or any(ord(c) > 127 for c in parsed.feed.get("title", ""))
    assert non_ascii   # the demo has "£", en dashes and accents in its feeds, read right


# ------------------------------------------------ the generated recipe's headers

DEMO_PASSWORD = ("nb", "nb-pass")
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".js": "text/javascript; charset=utf-8", ".json": "application/json; charset=utf-8",
         ".xml": "application/xml; charset=utf-8", ".ics": "text/calendar; charset=utf-8",
         ".vcf": "text/vcard; charset=utf-8", ".png": "image/png", ".svg": "image/svg+xml"}


@pytest.fixture(scope="module")
def demo_server(demo_site, work):
    """The demo published to a folder and served through the nginx.conf
    that publish wrote for it."""
    work = work / "demo"
    work.mkdir()
    publish(demo_site, f"folder:{work / 'www'}", load_portfolio(DEMO)[0], server_config=work / "config",
            environ={"CXSITE_PASSWORD_NORTHBRIDGE_HEALTH": ":".join(DEMO_PASSWORD)}, server_group=workers_group())
    with nginx(work, f"root {work / 'www'};\n        include {work / 'config'}/nginx.conf;") as url:
        yield url, work / "www"


def test_every_file_comes_with_its_type_charset_and_the_security_headers(demo_server):
    url, www = demo_server
    seen = set()
    for path in sorted(www.rglob("*")):
        relative = path.relative_to(www).as_posix()
        if not path.is_file() or path.suffix not in TYPES or relative.count("/") < 2:
            continue
        if "/assets/" in relative and path.suffix in seen:
            continue   # the theme's scripts and styles: one of each kind is enough
        status, headers, _ = get(f"{url}/{relative}", DEMO_PASSWORD)
        assert status == 200, relative
        assert headers["Content-Type"] == TYPES[path.suffix], relative
        assert headers["X-Content-Type-Options"] == "nosniff", relative
        assert headers["Referrer-Policy"] == "same-origin", relative
        policy = headers["Content-Security-Policy"]
        assert policy.startswith("default-src 'none'; script-src 'self' 'sha256-"), relative
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, relative
        public = relative.startswith(("harbour-lane/", "mueller-soehne/"))
        assert ("X-Robots-Tag" in headers) is not public, relative
        seen.add(path.suffix)
    assert seen == set(TYPES)
    status, headers, _ = get(f"{url}/robots.txt")
    assert status == 200 and headers["X-Content-Type-Options"] == "nosniff"


def test_the_pages_work_under_their_policy_in_the_browser(demo_server, browser):
    """No console error and no policy violation on any kind of page, while
    the reader switches to dark mode and searches (Material's scripts, its
    search worker and the inline code it writes all run)."""
    from .test_site_quality import PAGES

    url, _ = demo_server
    violations, errors = [], []
    context = browser.new_context(http_credentials={"username": DEMO_PASSWORD[0], "password": DEMO_PASSWORD[1]})
    context.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                            "console.error('CSP ' + e.violatedDirective + ' ' + e.blockedURI))")
    page = context.new_page()
    page.on("console", lambda message: errors.append(f"{page.url}: {message.text}")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    try:
        for path in PAGES:
            page.goto(f"{url}/{path}", wait_until="networkidle")
            assert page.locator("h1").first.is_visible(), path
        page.goto(f"{url}/northbridge-health/executives/", wait_until="networkidle")
        page.locator("label[for^='__palette_']:visible").first.click()
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
        page.locator(".md-search__input").click()
        page.keyboard.type("milestone")
        page.wait_for_selector(".md-search-result__item", timeout=10_000)
    finally:
        context.close()
    assert violations + errors == []
