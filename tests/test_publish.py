"""`cxsite publish`: audited microsites to a folder (nginx, Apache), a static
host's folder, a git branch or S3, with access control generated from each
customer's `site.access`."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from cxsite.publish.access import (AccessError, apr1, apr1_matches, credentials, htaccess, htpasswd, nginx_conf,
                           password_variable, robots_txt)
from cxsite.checks.manifest import SiteRecord
from cxsite.build import build_portfolio
from cxsite.cli.audit import audit as audit_command
from cxsite.cli.publish import publish as publish_command
from cxsite.publish import (AuditFailed, PublishError, content_type, default_server_config, parse_target,
                            publish)
from cxsite.model.load import load_portfolio

from .conftest import CUSTOMER, PROJECT, REPO, TEAM, UPDATE, write_tree

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)
CONFIG = REPO / "mkdocs.yml"
PASSWORDS = {"CXSITE_PASSWORD_ACME": "ana:acme-secret\nbob:bob-secret"}

GLOBEX = """\
name: Globex Corporation
timezone: Europe/Paris
cx_owner: tom
primary_contacts:
  - person: tom
    handles: Everything
site: {base_url: "https://status.example/globex/", access: public}
"""

FILES = {
    "team.yml": TEAM,
    "acme/customer.yml": CUSTOMER.replace('site: {base_url: "https://status.example/acme/"}',
                                          'site: {base_url: "https://status.example/acme/", access: private}'),
    "acme/erp/project.yml": PROJECT, "acme/erp/updates/kickoff.md": UPDATE,
    "globex/customer.yml": GLOBEX, "globex/plant/project.yml": PROJECT.replace("ERP roll-out", "Plant automation"),
    "globex/plant/updates/kickoff.md": UPDATE,
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    root = write_tree(tmp_path_factory.mktemp("p") / "projects", FILES)
    out = tmp_path_factory.mktemp("out") / "site"
    build_portfolio(root, out, config_file=CONFIG, cutoff=NOW)
    return root, out


@pytest.fixture(scope="module")
def model(built):
    return load_portfolio(built[0])[0]


@pytest.fixture
def site(built, tmp_path) -> Path:
    """A copy of the built site that a test may change."""
    return Path(shutil.copytree(built[1], tmp_path / "site", copy_function=os.link))


def files_below(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def microsite_folders(root: Path) -> set[str]:
    return {p.parent.relative_to(root).as_posix() for p in root.glob("*/*/index.html")}


def entry(folder: str, access: str) -> SiteRecord:
    customer, audience = folder.split("/")
    return SiteRecord(key=folder, customer=customer, audience=audience, folder=folder, access=access,
                      base_url=f"https://x.example/{customer}/")


# ------------------------------------------------------------ passwords

def test_apr1_gives_the_hashes_apache_and_openssl_give():
    assert apr1("myPassword", "r31.....") == "$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/"   # Apache's documentation
    assert apr1("password", "abcdefgh") == "$apr1$abcdefgh$FBwExRW4dCc8aL.OvjpIE1"     # openssl passwd -apr1
    assert apr1("pässwörd:with:colons", "Zx9/ab.C") == "$apr1$Zx9/ab.C$mUHVevvvgxECZHkCLPpM90"
    assert apr1("password", "abcdefgh", magic="$1$") == "$1$abcdefgh$G//4keteveJp0qb8z2DxG/"  # md5crypt
    fresh = apr1("correct horse")
    assert fresh.startswith("$apr1$") and apr1_matches("correct horse", fresh) and not apr1_matches("wrong", fresh)
    assert apr1("x") != apr1("x")  # a random salt each time


def test_passwords_come_from_one_variable_per_customer():
    assert password_variable("northbridge-health") == "CXSITE_PASSWORD_NORTHBRIDGE_HEALTH"
    assert credentials("acme", PASSWORDS) == [("ana", "acme-secret"), ("bob", "bob-secret")]
    with pytest.raises(AccessError, match="customer 'acme' is private: set CXSITE_PASSWORD_ACME"):
        credentials("acme", {})
    with pytest.raises(AccessError, match="CXSITE_PASSWORD_ACME, line 2: expected user:password") as error:
        credentials("acme", {"CXSITE_PASSWORD_ACME": "ana:ok\nno-colon-secret-value"})
    assert "no-colon-secret-value" not in str(error.value)


def test_an_unchanged_password_keeps_its_hash_so_publishing_again_changes_nothing():
    first = htpasswd([("ana", "one"), ("bob", "two")])
    again = htpasswd([("ana", "one"), ("bob", "changed")], previous=first)
    assert again.splitlines()[0] == first.splitlines()[0]
    assert again.splitlines()[1] != first.splitlines()[1]
    assert apr1_matches("changed", again.splitlines()[1].split(":", 1)[1])


# ---------------------------------------------------- access-control files

SITES = [entry("pub/everyone", "public"), entry("hid/everyone", "unlisted"), entry("sec/board", "private")]


def test_robots_txt_allows_public_sites_and_never_names_the_others():
    text = robots_txt(SITES)
    assert "Allow: /pub/everyone/" in text and text.rstrip().endswith("Disallow: /")
    assert "hid" not in text and "sec" not in text


def test_nginx_asks_for_a_password_only_for_private_sites():
    conf = nginx_conf(SITES, Path("/srv/status-access"))
    assert "include /srv/status-access/nginx.conf;" in conf
    private = conf[conf.index("location ^~ /sec/board/"):]
    assert "auth_basic_user_file /srv/status-access/sec.htpasswd;" in private
    assert 'add_header X-Robots-Tag "noindex, nofollow" always;' in private
    unlisted = conf[conf.index("location ^~ /hid/everyone/"):conf.index("location ^~ /sec/board/")]
    assert "auth_basic" not in unlisted and "X-Robots-Tag" in unlisted
    public = conf[conf.index("location ^~ /pub/everyone/"):conf.index("location ^~ /hid/everyone/")]
    assert "auth_basic" not in public and "X-Robots-Tag" not in public
    assert "location ^~ /_access/ { return 404; }" in conf


def test_apache_htaccess_of_a_private_site():
    text = htaccess(SITES[2], Path("/srv/status-access"))
    assert "AuthType Basic" in text and "Require valid-user" in text
    assert 'AuthUserFile "/srv/status-access/sec.htpasswd"' in text
    assert "Require" not in htaccess(SITES[1], Path("/x")) and "X-Robots-Tag" in htaccess(SITES[1], Path("/x"))


def test_targets_are_parsed_or_refused():
    assert parse_target("folder:out/www").path == Path("out/www")
    static = parse_target("static:public")
    assert (static.kind, static.path, str(static)) == ("static", Path("public"), "static:public")
    assert default_server_config(Path("/srv/status")) == Path("/srv/status-access")
    assert default_server_config(Path("out/www/")) == Path("out/www-access").absolute()
    git = parse_target("git:../pages#live")
    assert (git.kind, git.path, git.branch) == ("git", Path("../pages"), "live")
    assert parse_target("git:../pages").branch == "gh-pages"
    s3 = parse_target("s3://bucket/status/sites/")
    assert (s3.bucket, s3.prefix) == ("bucket", "status/sites/")
    assert parse_target("s3://bucket").prefix == ""
    for bad in ("out/www", "ftp://x", "folder:", "static:", "s3://", "s3://b/../x"):
        with pytest.raises(PublishError, match="unknown target"):
            parse_target(bad)


def test_content_types_are_right_for_every_kind_of_file():
    assert content_type("a/b/index.html") == "text/html; charset=utf-8"
    assert content_type("a/b/calendar.ics") == "text/calendar; charset=utf-8"
    assert content_type("a/b/contacts/ana.vcf") == "text/vcard; charset=utf-8"
    assert content_type("a/b/feed.xml") == "application/rss+xml; charset=utf-8"
    assert content_type("a/b/atom.xml") == "application/atom+xml; charset=utf-8"
    assert content_type("a/b/feed.json") == "application/feed+json; charset=utf-8"
    assert content_type("a/b/sitemap.xml") == "application/xml; charset=utf-8"
    assert content_type("a/b/assets/x.min.js") == "text/javascript; charset=utf-8"


# ------------------------------------------------------------------ folder

def test_folder_layout_keeps_the_server_configuration_outside_the_web_root(built, model, tmp_path):
    dest = tmp_path / "www"
    config = tmp_path / "www-access"
    result = publish(built[1], f"folder:{dest}", model, environ=PASSWORDS)
    assert result.sites == ("acme/everyone", "acme/executives", "globex/everyone")
    assert result.server_config == str(config)
    assert files_below(dest) >= {"acme/everyone/index.html", "acme/executives/index.html",
                                 "globex/everyone/index.html", "robots.txt", ".cxsite-publish",
                                 "acme/everyone/.htaccess", "globex/everyone/.htaccess"}
    # Nothing in the web root a misconfigured server could leak: no hashes, no server configuration, no
    # _headers (which names the unlisted microsites), no manifest.
    assert not [name for name in files_below(dest) if name.startswith(("_access/", "_headers", "_"))
                or name.endswith(("manifest.json", ".htpasswd", "nginx.conf"))]
    assert "acme" not in (dest / ".cxsite-publish").read_text()
    assert files_below(config) == {"nginx.conf", "acme.htpasswd", "cxsite-publish.json"}  # globex is public
    conf = (config / "nginx.conf").read_text()
    assert f"auth_basic_user_file {config}/acme.htpasswd;" in conf
    assert f"include {config}/nginx.conf;" in conf
    executives = (dest / "acme/executives/.htaccess").read_text()
    assert "Require valid-user" in executives and f'AuthUserFile "{config}/acme.htpasswd"' in executives
    users = dict(line.split(":", 1) for line in (config / "acme.htpasswd").read_text().splitlines())
    assert apr1_matches("acme-secret", users["ana"]) and apr1_matches("bob-secret", users["bob"])
    assert "acme-secret" not in (config / "acme.htpasswd").read_text()
    assert "Allow: /globex/everyone/" in (dest / "robots.txt").read_text()
    assert "acme" not in (dest / "robots.txt").read_text()
    # Hashes only ever go into the server-configuration folder.
    assert not any(p.suffix == ".htpasswd" for p in built[1].rglob("*"))
    assert subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "*.htpasswd"],
                          capture_output=True, text=True).stdout == ""
    # Pages of the private site already tell robots not to index them.
    assert '<meta name="robots" content="noindex' in (dest / "acme/everyone/index.html").read_text()


def test_server_config_goes_where_asked_and_the_paths_follow(built, model, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = publish(built[1], "folder:srv/www", model, environ=PASSWORDS, server_config="etc/status")
    config = tmp_path / "etc/status"                               # relative: made absolute
    assert result.server_config == str(config) and (config / "acme.htpasswd").is_file()
    assert f"auth_basic_user_file {config}/acme.htpasswd;" in (config / "nginx.conf").read_text()
    assert f'AuthUserFile "{config}/acme.htpasswd"' in (tmp_path / "srv/www/acme/everyone/.htaccess").read_text()
    assert not (tmp_path / "srv/www-access").exists()
    for inside in ("srv/www/access", "srv/www"):
        with pytest.raises(PublishError, match="must not be inside the folder it serves"):
            publish(built[1], "folder:srv/www", model, environ=PASSWORDS, server_config=inside)
    with pytest.raises(PublishError, match="--server-config is for folder: targets"):
        publish(built[1], "static:pub", model, skip_private=True, server_config="etc/status")


def test_server_config_folder_files_cxsite_did_not_write_are_never_replaced(built, model, tmp_path):
    config = tmp_path / "etc"
    config.mkdir()
    (config / "nginx.conf").write_text("# the main configuration\n")
    (config / "other.conf").write_text("# keep me\n")
    with pytest.raises(PublishError, match="refusing to overwrite .*nginx.conf: not written by cxsite publish"):
        publish(built[1], f"folder:{tmp_path / 'www'}", model, environ=PASSWORDS, server_config=config)
    assert (config / "nginx.conf").read_text() == "# the main configuration\n"
    assert not (tmp_path / "www").exists()
    (config / "nginx.conf").unlink()
    publish(built[1], f"folder:{tmp_path / 'www'}", model, environ=PASSWORDS, server_config=config)
    assert (config / "other.conf").read_text() == "# keep me\n"   # a shared folder: only our files are touched


def test_a_customer_that_is_no_longer_private_loses_its_password_file(built, model, tmp_path):
    dest, config = tmp_path / "www", tmp_path / "www-access"
    publish(built[1], f"folder:{dest}", model, environ=PASSWORDS)
    assert (config / "acme.htpasswd").is_file()
    result = publish(built[1], f"folder:{dest}", model, environ=PASSWORDS, skip_private=True)
    assert result.sites == ("globex/everyone",) and result.skipped == ("acme/everyone", "acme/executives")
    assert not (dest / "acme").exists() and not (config / "acme.htpasswd").exists()   # mirrored
    assert str(config / "acme.htpasswd") in result.changed and "acme/everyone/index.html" in result.changed
    assert "auth_basic" not in (config / "nginx.conf").read_text()


def test_a_folder_of_the_old_layout_is_moved_to_the_new_one_keeping_the_hashes(built, model, tmp_path):
    dest = tmp_path / "www"
    publish(built[1], f"folder:{dest}", model, environ=PASSWORDS)
    hashes = (tmp_path / "www-access/acme.htpasswd").read_text()
    # What earlier versions wrote: everything in the web root.
    shutil.rmtree(tmp_path / "www-access")
    (dest / ".cxsite-publish").unlink()
    (dest / "_access").mkdir()
    (dest / "_access/cxsite-publish.json").write_text("{}")
    (dest / "_access/acme.htpasswd").write_text(hashes)
    (dest / "_headers").write_text("/acme/everyone/*\n")
    result = publish(built[1], f"folder:{dest}", model, environ=PASSWORDS)
    assert {"_access/acme.htpasswd", "_headers"} <= set(result.changed)
    assert not (dest / "_access").exists() and not (dest / "_headers").exists()
    assert (tmp_path / "www-access/acme.htpasswd").read_text() == hashes


def test_publishing_the_same_site_again_changes_nothing(built, model, tmp_path):
    dest = tmp_path / "www"
    assert publish(built[1], f"folder:{dest}", model, environ=PASSWORDS).changed != ()
    before = {name: (dest / name).read_bytes() for name in files_below(dest)}
    assert publish(built[1], f"folder:{dest}", model, environ=PASSWORDS).changed == ()
    assert {name: (dest / name).read_bytes() for name in files_below(dest)} == before


def test_a_private_customer_without_a_password_is_an_error_naming_the_variable(built, model, tmp_path):
    with pytest.raises(AccessError, match="CXSITE_PASSWORD_ACME"):
        publish(built[1], f"folder:{tmp_path / 'www'}", model, environ={})
    assert not (tmp_path / "www").exists()
    assert [p.name for p in tmp_path.iterdir()] == []  # no staging left behind


def test_nothing_is_published_when_the_audit_fails(site, model, tmp_path):
    page = site / "globex/everyone/index.html"
    text = page.read_text()
    page.unlink()
    page.write_text(text.replace("</body>", "<p>Acme &amp; Co</p></body>"))
    with pytest.raises(AuditFailed) as failed:
        publish(site, f"folder:{tmp_path / 'www'}", model, environ=PASSWORDS)
    assert {(f.path, f.what) for f in failed.value.findings} == {
        ("globex/everyone/index.html", "another customer's name 'Acme & Co'"),
        ("globex/everyone/index.html", "another customer's slug 'acme'")}
    assert not (tmp_path / "www").exists()


def test_only_replaces_the_chosen_microsites(built, model, site, tmp_path):
    dest = tmp_path / "www"
    publish(built[1], f"folder:{dest}", model, environ=PASSWORDS)
    for folder in ("acme/everyone", "globex/everyone"):
        page = site / folder / "index.html"
        text = page.read_text()
        page.unlink()
        page.write_text(text.replace("</body>", "<p>rebuilt</p></body>"))
    result = publish(site, f"folder:{dest}", model, only=["globex"], environ=PASSWORDS)
    assert result.sites == ("globex/everyone",) and result.changed == ("globex/everyone/index.html",)
    assert "rebuilt" in (dest / "globex/everyone/index.html").read_text()
    assert "rebuilt" not in (dest / "acme/everyone/index.html").read_text()
    assert "auth_basic" in (tmp_path / "www-access/nginx.conf").read_text()  # acme still protected
    assert "Require valid-user" in (dest / "acme/everyone/.htaccess").read_text()
    assert [w for w in result.warnings if w.startswith("--only left 2 other microsites")] 


def test_a_full_publish_removes_microsites_the_site_no_longer_has(built, model, tmp_path):
    dest = tmp_path / "www"
    publish(built[1], f"folder:{dest}", model, environ=PASSWORDS)
    shutil.copytree(dest / "globex/everyone", dest / "gone/everyone")
    with pytest.raises(PublishError, match="holds gone/everyone, which .* does not build any more"):
        publish(built[1], f"folder:{dest}", model, only=["globex"], environ=PASSWORDS)
    result = publish(built[1], f"folder:{dest}", model, environ=PASSWORDS)
    assert "gone/everyone/index.html" in result.changed and not (dest / "gone").exists()


def test_a_folder_cxsite_did_not_write_is_never_replaced(built, model, tmp_path):
    precious = tmp_path / "www"
    precious.mkdir()
    (precious / "thesis.tex").write_text("do not delete")
    with pytest.raises(PublishError, match="not a folder cxsite publish wrote"):
        publish(built[1], f"folder:{precious}", model, environ=PASSWORDS)
    assert (precious / "thesis.tex").read_text() == "do not delete"


# ------------------------------------------------------------------ static

def test_static_refuses_private_microsites_naming_them_and_the_fix(built, model, tmp_path):
    with pytest.raises(PublishError) as refused:
        publish(built[1], f"static:{tmp_path / 'public'}", model, environ=PASSWORDS)
    message = str(refused.value)
    assert message.startswith("acme/everyone, acme/executives are private, and a static target cannot ask for a "
                              "password: pass --skip-private")
    assert "folder:" in message and "--private-without-auth" in message
    assert not (tmp_path / "public").exists()


def test_static_layout_has_the_microsites_and_robots_txt_and_nothing_else(built, model, tmp_path):
    dest = tmp_path / "public"
    result = publish(built[1], f"static:{dest}", model, environ=PASSWORDS, skip_private=True)
    assert result.sites == ("globex/everyone",) and result.skipped == ("acme/everyone", "acme/executives")
    assert result.server_config is None
    files = files_below(dest)
    assert {name.split("/", 1)[0] for name in files} == {"globex", "robots.txt", ".cxsite-publish"}
    assert files == {"robots.txt", ".cxsite-publish"} | {f"globex/everyone/{rel}" for rel in
                                                         files_below(built[1] / "globex/everyone")}
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith((".htpasswd", ".htaccess", "nginx.conf"))
                or p.name in ("_access", "_headers")]
    assert "Allow: /globex/everyone/" in (dest / "robots.txt").read_text()
    assert publish(built[1], f"static:{dest}", model, skip_private=True).changed == ()


def test_static_without_only_mirrors_what_is_published(built, model, site, tmp_path):
    dest = tmp_path / "public"
    publish(built[1], f"static:{dest}", model, private_without_auth=True)
    assert (dest / "acme/everyone/index.html").is_file()
    shutil.copytree(dest / "globex/everyone", dest / "gone/everyone")   # a customer no longer built
    result = publish(built[1], f"static:{dest}", model, skip_private=True)
    assert microsite_folders(dest) == {"globex/everyone"}                # acme is private now: removed
    assert "acme/everyone/index.html" in result.changed and "gone/everyone/index.html" in result.changed


def test_static_with_only_leaves_the_others_and_says_so(built, model, tmp_path):
    dest = tmp_path / "public"
    publish(built[1], f"static:{dest}", model, private_without_auth=True)
    shutil.copytree(dest / "globex/everyone", dest / "gone/everyone")
    result = publish(built[1], f"static:{dest}", model, only=["globex"])
    assert microsite_folders(dest) == {"acme/everyone", "acme/executives", "globex/everyone", "gone/everyone"}
    warnings = "\n".join(result.warnings)
    assert f"--only left 3 other microsites at static:{dest} as published before: acme/everyone, " \
           "acme/executives, gone/everyone" in warnings
    assert "gone/everyone is no longer built but still published" in warnings
    assert "acme/everyone, acme/executives are private now but still published" in warnings


def test_a_folder_layout_becomes_a_static_one(built, model, tmp_path):
    dest = tmp_path / "public"
    publish(built[1], f"folder:{dest}", model, environ=PASSWORDS, skip_private=True)
    assert (dest / "globex/everyone/.htaccess").is_file()
    publish(built[1], f"static:{dest}", model, skip_private=True, only=["globex"])
    assert not list(dest.rglob(".htaccess"))


def test_a_folder_cxsite_did_not_write_is_never_replaced_by_static(built, model, tmp_path):
    with pytest.raises(PublishError, match="not a folder cxsite publish wrote"):
        publish(built[1], f"static:{built[1]}", model, skip_private=True)   # the build folder itself
    assert (built[1] / "manifest.json").is_file()


def test_skip_private_with_nothing_left_is_an_error(built, model, tmp_path):
    with pytest.raises(PublishError, match="every microsite chosen with --only is private"):
        publish(built[1], f"static:{tmp_path / 'public'}", model, only=["acme"], skip_private=True)
    with pytest.raises(PublishError, match="contradict"):
        publish(built[1], f"static:{tmp_path / 'public'}", model, skip_private=True, private_without_auth=True)


# --------------------------------------------------------------------- git

def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture
def repo(tmp_path) -> Path:
    path = tmp_path / "pages"
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    (path / "README.md").write_text("my checkout\n")
    return path


def test_git_commits_the_static_layout_to_a_new_branch_of_an_empty_repo(built, model, repo):
    result = publish(built[1], f"git:{repo}", model, only=["globex"])
    assert result.commit and git(repo, "rev-parse", "gh-pages") == result.commit
    message = git(repo, "log", "-1", "--format=%B", "gh-pages")
    assert message.startswith("Publish 1 microsite built for 2026-11-25T12:00:00+00:00")
    assert "globex/everyone" in message
    tree = set(git(repo, "ls-tree", "-r", "--name-only", "gh-pages").splitlines())
    assert {"globex/everyone/index.html", "robots.txt", "_headers"} <= tree
    assert ".nojekyll" not in tree  # GitHub Pages' Jekyll then keeps _headers (Netlify's) unserved
    assert not any(name.startswith(("acme/", "_access/")) or name.endswith(("manifest.json", ".htpasswd",
                                                                            ".htaccess")) for name in tree)
    # The repository's own checkout is untouched: still unborn main, only the README, nothing staged.
    assert git(repo, "symbolic-ref", "HEAD") == "refs/heads/main"
    assert git(repo, "status", "--porcelain") == "?? README.md"


def test_git_makes_no_commit_when_nothing_changed_and_one_when_something_did(built, model, site, repo):
    first = publish(built[1], f"git:{repo}#live", model, only=["globex"])
    again = publish(built[1], f"git:{repo}#live", model, only=["globex"])
    assert again.commit is None and again.changed == ()
    assert git(repo, "rev-parse", "live") == first.commit
    page = site / "globex/everyone/index.html"
    text = page.read_text()
    page.unlink()
    page.write_text(text.replace("</body>", "<p>rebuilt</p></body>"))
    second = publish(site, f"git:{repo}#live", model, only=["globex"])
    assert second.changed == ("globex/everyone/index.html",)
    assert git(repo, "rev-parse", f"{second.commit}^") == first.commit


def test_private_microsites_do_not_go_to_git_unless_asked(built, model, repo):
    with pytest.raises(PublishError, match="acme/everyone, acme/executives are private, .* --skip-private"):
        publish(built[1], f"git:{repo}", model)
    result = publish(built[1], f"git:{repo}", model, private_without_auth=True)
    assert "acme/everyone/index.html" in git(repo, "ls-tree", "-r", "--name-only", result.commit)


def test_git_without_only_mirrors_what_is_published_and_with_only_warns(built, model, repo):
    publish(built[1], f"git:{repo}", model, private_without_auth=True)
    only = publish(built[1], f"git:{repo}", model, only=["globex"])
    assert only.commit is None                                          # nothing changed for globex
    assert any("acme/everyone, acme/executives are private now but still published at git:" in w
               for w in only.warnings)
    result = publish(built[1], f"git:{repo}", model, skip_private=True)
    assert result.skipped == ("acme/everyone", "acme/executives") and result.commit
    tree = git(repo, "ls-tree", "-r", "--name-only", "gh-pages").splitlines()
    assert not [name for name in tree if name.startswith("acme/")] and "globex/everyone/index.html" in tree
    assert "acme/everyone/index.html" in result.changed


def test_git_refuses_a_branch_that_is_checked_out(built, model, repo):
    git(repo, "add", "README.md")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@x", "commit", "-q", "-m", "init")
    with pytest.raises(PublishError, match="branch main is checked out"):
        publish(built[1], f"git:{repo}#main", model, only=["globex"])
    with pytest.raises(PublishError, match="is not a git repository"):
        publish(built[1], f"git:{repo / 'nope'}", model, only=["globex"])


# ---------------------------------------------------------------------- s3

@pytest.fixture
def bucket(monkeypatch):
    moto = pytest.importorskip("moto", reason="the S3 tests need moto (pip install moto)")
    boto3 = pytest.importorskip("boto3")
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with moto.mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="status")
        client.put_object(Bucket="status", Key="web/old/everyone/index.html", Body=b"stale")
        client.put_object(Bucket="status", Key="elsewhere.txt", Body=b"not ours")
        yield client


def test_s3_uploads_changed_files_only_with_their_content_types(built, model, site, bucket):
    first = publish(built[1], "s3://status/web", model, only=["globex"], s3_client=bucket)
    keys = {o["Key"] for o in bucket.list_objects_v2(Bucket="status")["Contents"]}
    assert "web/globex/everyone/index.html" in keys and "web/robots.txt" in keys
    assert not any("acme" in key or "manifest" in key or "_access" in key or "_headers" in key for key in keys)
    assert "web/old/everyone/index.html" in keys            # --only leaves the rest alone
    head = bucket.head_object(Bucket="status", Key="web/globex/everyone/calendar.ics")
    assert head["ContentType"] == "text/calendar; charset=utf-8"
    assert bucket.head_object(Bucket="status", Key="web/globex/everyone/feed.xml")["ContentType"] \
        == "application/rss+xml; charset=utf-8"
    assert len(first.changed) == len([k for k in keys if k.startswith("web/") and not k.startswith("web/old/")])

    assert publish(built[1], "s3://status/web", model, only=["globex"], s3_client=bucket).changed == ()
    css = site / "globex/everyone/assets/cxsite/cxsite.css"
    data = css.read_bytes()
    css.unlink()
    css.write_bytes(data + b"\n/* tweak */\n")
    changed = publish(site, "s3://status/web", model, only=["globex"], s3_client=bucket).changed
    assert changed == ("globex/everyone/assets/cxsite/cxsite.css",)


def test_s3_skips_private_microsites_and_warns_about_what_only_leaves(built, model, bucket):
    result = publish(built[1], "s3://status/web", model, only=["globex"], skip_private=True, s3_client=bucket)
    assert result.skipped == ()
    assert any("old/everyone is no longer built but still published" in w for w in result.warnings)
    with pytest.raises(PublishError, match="are private, and an s3 target"):
        publish(built[1], "s3://status/web", model, s3_client=bucket)
    result = publish(built[1], "s3://status/web", model, skip_private=True, s3_client=bucket)
    keys = {o["Key"] for o in bucket.list_objects_v2(Bucket="status")["Contents"]}
    assert result.skipped == ("acme/everyone", "acme/executives")
    assert not [w for w in result.warnings if "--only" in w or "still published" in w]
    assert not any(key.startswith(("web/acme/", "web/old/")) for key in keys)


def test_s3_full_publish_removes_what_is_gone_below_its_prefix_only(built, model, bucket):
    result = publish(built[1], "s3://status/web/", model, private_without_auth=True, s3_client=bucket)
    keys = {o["Key"] for o in bucket.list_objects_v2(Bucket="status")["Contents"]}
    assert "old/everyone/index.html" in result.changed and "web/old/everyone/index.html" not in keys
    assert "elsewhere.txt" in keys and "web/acme/everyone/index.html" in keys


# -------------------------------------------------------------------- CLI

def test_cli_publishes_and_lists_the_microsites(built, tmp_path):
    dest = tmp_path / "www"
    args = [str(built[1]), "--to", f"folder:{dest}", "--projects", str(built[0])]
    result = CliRunner().invoke(publish_command, args, env=PASSWORDS)
    assert result.exit_code == 0, result.output
    assert f"cxsite published 3 microsites to folder:{dest}" in result.output
    assert f"server configuration (never serve it): {tmp_path / 'www-access'}" in result.output
    assert "  acme/executives" in result.output
    again = CliRunner().invoke(publish_command, args, env=PASSWORDS)
    assert "already up to date, nothing changed" in again.output


def test_cli_static_with_skip_private_says_what_it_left_out(built, tmp_path):
    base = [str(built[1]), "--to", f"static:{tmp_path / 'public'}", "--projects", str(built[0])]
    refused = CliRunner().invoke(publish_command, base)
    assert refused.exit_code == 1 and "are private, and a static target cannot ask for a password" in refused.output
    assert "nothing was published" in refused.output and not (tmp_path / "public").exists()
    result = CliRunner().invoke(publish_command, [*base, "--skip-private"])
    assert result.exit_code == 0, result.output
    assert "skipped 2 private microsites (--skip-private): acme/everyone, acme/executives" in result.output
    assert f"cxsite published 1 microsite to static:{tmp_path / 'public'}" in result.output
    assert "server configuration" not in result.output
    wrong = CliRunner().invoke(publish_command, [*base, "--skip-private", "--server-config", str(tmp_path / "c")])
    assert wrong.exit_code == 2 and "only for folder: targets" in wrong.output
    both = CliRunner().invoke(publish_command, [*base, "--skip-private", "--private-without-auth"])
    assert both.exit_code == 2 and "contradict" in both.output


def test_cli_without_a_portfolio_names_the_projects_option(built, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)                                   # no projects/ here
    result = CliRunner().invoke(publish_command, [str(built[1]), "--to", "static:public", "--skip-private"])
    assert result.exit_code == 1
    assert "pass --projects DIR: the portfolio this site was built from" in result.output
    assert "cxsite check projects" not in result.output
    given = CliRunner().invoke(publish_command, [str(built[1]), "--to", "static:public", "--projects", "nope"])
    assert given.exit_code == 1 and "portfolio folder nope not found: pass --projects DIR" in given.output
    audit = CliRunner().invoke(audit_command, [str(built[1])])
    assert audit.exit_code == 1 and "cxsite audit failed" in audit.output
    assert "pass --projects DIR: the portfolio this site was built from" in audit.output


def test_cli_errors_are_clean_messages(built, site, tmp_path):
    base = ["--projects", str(built[0])]
    missing = CliRunner().invoke(publish_command, [str(built[1]), "--to", f"folder:{tmp_path / 'a'}", *base],
                                 env={"CXSITE_PASSWORD_ACME": ""})
    assert missing.exit_code == 1 and "CXSITE_PASSWORD_ACME" in missing.output and "Traceback" not in missing.output
    wrong = CliRunner().invoke(publish_command, [str(built[1]), "--to", "ftp://x", *base])
    assert wrong.exit_code == 2 and "unknown target" in wrong.output
    refused = CliRunner().invoke(publish_command, [str(site), "--to", f"folder:{tmp_path / 'b'}", *base,
                                                   "--marker", "Everyone"], env=PASSWORDS)
    assert refused.exit_code == 1 and "cxsite publish refused: the audit found" in refused.output
    assert "acme/everyone/index.html: secret marker 'Everyone'" in refused.output
    assert not (tmp_path / "b").exists()


def test_the_published_web_root_is_readable_by_the_web_servers_user(built, model, tmp_path):
    """A stock nginx's workers run as another user (www-data): the web root,
    every folder and every page must be world-readable, after the first
    publish and after one that changes something."""
    import stat

    dest = tmp_path / "www"
    for _ in range(2):
        publish(built[1], f"folder:{dest}", model, environ=PASSWORDS, server_config=tmp_path / "access")
        for path in [dest, *dest.rglob("*")]:
            mode = stat.S_IMODE(path.lstat().st_mode)
            if path.is_symlink():
                continue
            wanted = 0o005 if path.is_dir() else 0o004
            assert mode & wanted == wanted, (path, oct(mode))
        (dest / "acme").chmod(0o700)   # the next publish that changes anything puts it right
        (dest / "robots.txt").unlink(missing_ok=True)


def test_password_files_stay_readable_by_the_servers_group_only_across_publishes(built, model, tmp_path):
    """Each publish that changes a password writes the file anew: it keeps
    mode 0640 in the server-configuration folder's group, and a file an
    earlier version left world-readable is put right."""
    import stat

    config = tmp_path / "access"
    config.mkdir()
    group = os.getgid()
    os.chown(config, -1, group)
    publish(built[1], f"folder:{tmp_path / 'www'}", model, environ=PASSWORDS, server_config=config)
    password = config / "acme.htpasswd"
    password.chmod(0o644)   # as earlier versions wrote it
    changed = {"CXSITE_PASSWORD_ACME": "ana:a-new-secret\nbob:bob-secret"}
    for environ in (PASSWORDS, changed):
        publish(built[1], f"folder:{tmp_path / 'www'}", model, environ=environ, server_config=config)
        assert stat.S_IMODE(password.stat().st_mode) == 0o640 and password.stat().st_gid == group
    assert apr1_matches("a-new-secret", dict(line.split(":", 1) for line in password.read_text().split())["ana"])
