"""Access-control files for published microsites, from each customer's ``site.access``.

* ``public``: anyone may read it and search engines may index it.
* ``unlisted``: anyone with the URL may read it; pages already carry
  ``<meta name="robots" content="noindex">`` and the files here add
  ``X-Robots-Tag`` headers. It is *not* protection: a URL can be forwarded,
  logged or guessed.
* ``private``: HTTP Basic authentication, one password file per customer.

Generated here, as file contents keyed by path:

* ``robots.txt``: allows the public microsites and disallows everything
  else. It lists only public paths: a ``Disallow`` line per unlisted site
  would tell everyone where it is.
* ``_headers`` (Netlify, Cloudflare Pages): each microsite's headers
  (:mod:`cxsite.publish.headers`: its Content-Security-Policy, ``nosniff``,
  ``Referrer-Policy``, ``X-Robots-Tag`` for non-public ones) and the types
  of its feeds, calendars and vCards. Only the git target writes it (the branch's tree names every
  folder anyway); a host that does not read it serves it as a plain file,
  and it names the unlisted microsites.
* For nginx and Apache (:func:`server_files`), in two places:

  - in the web root, ``.htaccess`` in each microsite (Apache: password,
    headers, types, 404 page). It holds no secret, only the path of the
    password file;
  - in the server-configuration folder, *outside* the web root (so a
    misconfigured server cannot serve it): ``nginx.conf``, one ``location``
    per microsite, to ``include`` in the ``server`` block, and
    ``<customer>.htpasswd`` for each private customer, from the environment
    variable ``CXSITE_PASSWORD_<CUSTOMER_SLUG>`` (upper case, ``-`` as
    ``_``) holding ``user:password`` lines. Passwords are hashed with
    Apache's ``$apr1$`` (MD5-based, 1000 rounds), the one scheme that nginx
    (its own implementation, whatever the libc), Apache and lighttpd all
    accept; it is implemented here from the published algorithm because
    ``passlib`` is unmaintained and ``bcrypt`` hashes are not read by
    nginx on every platform.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from ..checks.manifest import SiteRecord
from ..diagnostics import CxsiteError
from .headers import CONTENT_TYPES, NOINDEX, outside_headers, site_headers

PASSWORD_PREFIX = "CXSITE_PASSWORD_"
ACCESS_DIR = "_access"      # where earlier versions put the server configuration: inside the web root
NGINX_CONF = "nginx.conf"
#: The text files whose type a host should state with their charset.
_TYPED = (".xml", ".json", ".ics", ".vcf")


class AccessError(CxsiteError):
    """Access control cannot be generated (e.g. a private site without a password)."""


# ------------------------------------------------------------------- apr1

_ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
APR1 = "$apr1$"


def _to64(value: int, count: int) -> str:
    out = ""
    for _ in range(count):
        out += _ITOA64[value & 0x3F]
        value >>= 6
    return out


def apr1(password: str, salt: str | None = None, magic: str = APR1) -> str:
    """Apache's MD5 crypt (``$apr1$salt$hash``); with ``magic="$1$"`` it is
    the original FreeBSD md5crypt. Salt: up to 8 characters of ``./0-9A-Za-z``."""
    if salt is None:
        salt = "".join(secrets.choice(_ITOA64) for _ in range(8))
    salt = salt[:8]
    if any(c not in _ITOA64 for c in salt):
        raise ValueError(f"salt {salt!r} has characters outside ./0-9A-Za-z")
    pw, sb, mb = password.encode("utf-8"), salt.encode("ascii"), magic.encode("ascii")
    alternate = hashlib.md5(pw + sb + pw).digest()
    ctx = hashlib.md5(pw + mb + sb)
    for i in range(len(pw), 0, -16):
        ctx.update(alternate[:min(16, i)])
    i = len(pw)
    while i:
        ctx.update(b"\0" if i & 1 else pw[:1])
        i >>= 1
    final = ctx.digest()
    for i in range(1000):  # deliberately slow
        step = hashlib.md5(pw if i & 1 else final)
        if i % 3:
            step.update(sb)
        if i % 7:
            step.update(pw)
        step.update(final if i & 1 else pw)
        final = step.digest()
    f = final
    encoded = "".join(_to64((f[a] << 16) | (f[b] << 8) | f[c], 4)
                      for a, b, c in ((0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5)))
    encoded += _to64(f[11], 2)
    return f"{magic}{salt}${encoded}"


def apr1_matches(password: str, hashed: str) -> bool:
    if not hashed.startswith(APR1):
        return False
    salt = hashed[len(APR1):].split("$", 1)[0]
    try:
        return secrets.compare_digest(apr1(password, salt), hashed)
    except ValueError:
        return False


# -------------------------------------------------------------- passwords

def password_variable(customer_slug: str) -> str:
    return PASSWORD_PREFIX + customer_slug.upper().replace("-", "_")


def credentials(customer_slug: str, environ: Mapping[str, str]) -> list[tuple[str, str]]:
    """``user:password`` pairs from the customer's variable (one per line).
    Errors name the variable and the line, never a password."""
    variable = password_variable(customer_slug)
    value = environ.get(variable, "")
    pairs = []
    for number, line in enumerate(value.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        user, colon, password = line.partition(":")
        if not colon or not user or not password or any(c.isspace() for c in user):
            raise AccessError(f"{variable}, line {number}: expected user:password (a user name without "
                              "spaces or ':', then a non-empty password)")
        pairs.append((user, password))
    if not pairs:
        raise AccessError(f"customer '{customer_slug}' is private: set {variable} to 'user:password' "
                          "(several: one per line) so publish can write its password file")
    return pairs


def htpasswd(pairs: Sequence[tuple[str, str]], previous: str = "") -> str:
    """A password file. A user whose password did not change keeps the line
    it had in ``previous``, so publishing again changes nothing."""
    old = dict(line.split(":", 1) for line in previous.splitlines() if ":" in line)
    lines = []
    for user, password in pairs:
        kept = old.get(user, "")
        lines.append(f"{user}:{kept if apr1_matches(password, kept) else apr1(password)}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------ the files

def robots_txt(sites: Iterable[SiteRecord], prefix: str = "/") -> str:
    lines = ["# Generated by cxsite publish. Only public microsites may be indexed. The others are",
             "# not named here: a Disallow line would tell everyone where they are.", "User-agent: *"]
    lines += [f"Allow: {prefix}{site.folder}/" for site in sites if site.access == "public"]
    lines.append("Disallow: /")
    return "\n".join(lines) + "\n"


def netlify_headers(sites: Iterable[SiteRecord], prefix: str = "/") -> str:
    lines = ["# Response headers for Netlify and Cloudflare Pages (generated by cxsite publish)."]
    # One rule per microsite and none for the whole site: both hosts join
    # the values of every rule that matches, and two policies both apply.
    for site in sites:
        lines += [f"{prefix}{site.folder}/*", *(f"  {name}: {value}" for name, value in site_headers(site))]
        lines += [line for suffix in _TYPED
                  for line in (f"{prefix}{site.folder}/*{suffix}", f"  Content-Type: {CONTENT_TYPES[suffix]}")]
    return "\n".join(lines) + "\n"


def password_file(config_dir: Path, customer: str) -> str:
    return str(config_dir / f"{customer}.htpasswd")


def nginx_conf(sites: Iterable[SiteRecord], config_dir: Path, cutoff: str = "") -> str:
    """``config_dir`` is the server-configuration folder as the server sees it."""
    out = [
        f"# Generated by cxsite publish{f' (site built for {cutoff})' if cutoff else ''}.",
        "# Include inside the server { } block whose root is the published folder:",
        f"#     include {config_dir / NGINX_CONF};",
        "# and reload nginx after every publish (nginx -s reload): until then it keeps the",
        "# locations, and so the passwords, of the microsites it knew before.",
        "# Private microsites ask for a password (HTTP Basic: serve them over HTTPS only).",
        "# Note: the add_header lines in each location replace the server block's there;",
        "# repeat yours (e.g. Strict-Transport-Security) in them if you have any.",
        "",
        *_nginx_headers(outside_headers(), ""),
        "",
        "# Older versions of cxsite wrote these into the web root; never serve them.",
        f"location ^~ /{ACCESS_DIR}/ {{ return 404; }}",
        "location = /_headers { return 404; }",
        "location ~ /\\.ht { return 404; }",
    ]
    for site in sites:
        out += ["", f"location ^~ /{site.folder}/ {{"]
        if site.access == "private":
            out += [f'    auth_basic "{site.customer}";',
                    f"    auth_basic_user_file {password_file(config_dir, site.customer)};"]
        out += _nginx_headers(site_headers(site), "    ")
        out += ["    types {", *(f'        "{kind}" {suffix[1:]};' for suffix, kind in CONTENT_TYPES.items()),
                "    }",
                f"    error_page 404 /{site.folder}/404.html;",
                "    location ~ /\\.ht { return 404; }",
                "}"]
    return "\n".join(out) + "\n"


def _nginx_headers(headers: Iterable[tuple[str, str]], indent: str) -> list[str]:
    return [f'{indent}add_header {name} "{value}" always;' for name, value in headers]


def htaccess(site: SiteRecord, config_dir: Path) -> str:
    out = [f"# Generated by cxsite publish: {site.folder} is {site.access}. Needs AllowOverride AuthConfig "
           "FileInfo."]
    if site.access == "private":
        out += ["AuthType Basic", f'AuthName "{site.customer}"',
                f'AuthUserFile "{password_file(config_dir, site.customer)}"', "Require valid-user"]
    out += ["<IfModule mod_headers.c>", *(f'  Header always set {name} "{value}"' for name, value in site_headers(site)),
            "</IfModule>", "<IfModule mod_mime.c>"]
    out += [f"  AddType {kind.split(';')[0]} {suffix}" for suffix, kind in CONTENT_TYPES.items()]
    out += [f"  AddCharset utf-8 {' '.join(s for s, kind in CONTENT_TYPES.items() if 'charset' in kind)}",
            "</IfModule>", f"ErrorDocument 404 /{site.folder}/404.html"]
    return "\n".join(out) + "\n"


def static_host_files(sites: Sequence[SiteRecord], prefix: str = "/", headers: bool = False) -> dict[str, str]:
    """What any static host can use: no server configuration, no passwords.

    ``_headers`` (``headers=True``) names the non-public paths: Netlify and
    Cloudflare Pages read it and never serve it, GitHub Pages' Jekyll skips
    files starting with ``_``, but GitLab Pages, a bucket or a Pages
    artifact would serve it to anyone."""
    files = {"robots.txt": robots_txt(sites, prefix)}
    if headers:
        files["_headers"] = netlify_headers(sites, prefix)
    return files


@dataclass(frozen=True)
class ServerFiles:
    web: dict[str, str]       # paths below the web root: robots.txt, <customer>/<audience>/.htaccess
    config: dict[str, str]    # names in the server-configuration folder: nginx.conf, <customer>.htpasswd


def server_files(sites: Sequence[SiteRecord], config_dir: Path, environ: Mapping[str, str],
                 previous: Mapping[str, str] | None = None, cutoff: str = "") -> ServerFiles:
    """Everything for a folder served by nginx or Apache, password files included.

    ``config_dir`` is the absolute path where the server will find the
    server-configuration folder (never below the web root); ``previous``
    maps the names of the password files published before to their text (so
    unchanged passwords keep their hashes)."""
    previous = previous or {}
    web = static_host_files(sites)
    for site in sites:
        web[f"{site.folder}/.htaccess"] = htaccess(site, config_dir)
    config = {NGINX_CONF: nginx_conf(sites, config_dir, cutoff)}
    problems = []
    for customer in sorted({site.customer for site in sites if site.access == "private"}):
        name = f"{customer}.htpasswd"
        try:
            config[name] = htpasswd(credentials(customer, environ), previous.get(name, ""))
        except AccessError as exc:
            problems.append(str(exc))
    if problems:
        raise AccessError("\n".join(problems))
    return ServerFiles(web, config)
