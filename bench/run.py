"""The benchmark behind bench/results.md (run it with scripts/bench).

Generates the reference portfolio (500 customers x 5 projects x 20 updates,
about 110 pages per customer) and a 50-customer quick variant, then
measures in one run, on this machine: `cxsite check`, a full build, a build
with no change, a build after one edited update, and the same pages built
by stock MkDocs + Material and by Hugo (on a sample of customers,
extrapolated per site). With ``--baseline REV`` (the default is the last
commit before the one build layer) the same figures are taken, in the
same run, of that revision too: a git worktree with its own virtual
environment and its own cache folder, so the two never share a result.
Timing lives here, never in the tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402

NOW = "2026-11-25T12:00:00+00:00"
BASELINE = "7036e05"   # main before the one build layer (issue 15)


LAST_OUTPUT = {"stderr": ""}


def run(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True,
                            env={**os.environ, **env} if env else None)
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    LAST_OUTPUT["stderr"] = result.stderr
    return time.perf_counter() - started


def builder_peak() -> int:
    """The largest builder's peak memory the last `cxsite build` reported (MB)."""
    import re

    found = re.search(r"largest builder (\d+) MB", LAST_OUTPUT["stderr"])
    return int(found.group(1)) if found else 0


def du(path: Path, apparent: bool = False) -> int:
    args = ["du", "-sk", *(["--apparent-size"] if apparent else []), str(path)]
    return int(subprocess.run(args, capture_output=True, text=True).stdout.split()[0]) * 1024


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB RAM, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def stock_mkdocs_site(portfolio: Path, customer: str, target: Path) -> Path:
    """The same pages as plain Markdown for `mkdocs build` (stock Material)."""
    docs = target / "docs"
    docs.mkdir(parents=True)
    (docs / "index.md").write_text(f"# {customer}\n\nOverview.\n")
    for name in ("updates", "contacts", "subscribe"):
        (docs / f"{name}.md").write_text(f"# {name.title()}\n\nText.\n")
    for project in sorted((portfolio / customer).iterdir()):
        if not project.is_dir():
            continue
        (docs / project.name).mkdir()
        (docs / project.name / "index.md").write_text(f"# {project.name}\n\n" + (project / "project.yml").read_text()
                                                      .replace("\n", "\n\n"))
        for update in sorted((project / "updates").glob("*.md")):
            text = update.read_text()
            (docs / project.name / update.name).write_text("# " + update.stem + "\n" + text.split("---", 2)[2])
    (target / "mkdocs.yml").write_text(f"site_name: {customer}\ntheme:\n  name: material\n  font: false\n"
                                       "plugins:\n  - search\nmarkdown_extensions:\n  - extra\n  - toc\n")
    return target


HUGO_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{ .Title }} - {{ .Site.Title }}</title>
<meta name="description" content="{{ .Summary | plainify | truncate 160 }}">
<link rel="canonical" href="{{ .Permalink }}">
<link rel="stylesheet" href="{{ "assets/main.css" | relURL }}">
{{ range .AlternativeOutputFormats }}<link rel="{{ .Rel }}" type="{{ .MediaType.Type }}" href="{{ .RelPermalink }}">{{ end }}
</head><body>
<header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a> <span>{{ .Title }}</span>
<form role="search"><input type="search" name="q" placeholder="Search"></form></header>
<nav aria-label="Navigation"><ul>
<li><a href="{{ "/" | relURL }}"{{ if .IsHome }} aria-current="page"{{ end }}>Overview</a></li>
{{ $current := . }}{{ range .Site.Sections }}<li><a href="{{ .RelPermalink }}"{{ if eq . $current }} aria-current="page"{{ end }}>{{ .Title }}</a>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}"{{ if eq . $current }} aria-current="page"{{ end }}>{{ .Title }}</a></li>{{ end }}</ul></li>{{ end }}
</ul></nav>
<aside aria-label="On this page">{{ .TableOfContents }}</aside>
<main><article>{{ .Content }}</article></main>
<footer><nav aria-label="Footer">
{{ with .PrevInSection }}<a href="{{ .RelPermalink }}" rel="prev">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a href="{{ .RelPermalink }}" rel="next">{{ .Title }}</a>{{ end }}
</nav><p>{{ .Site.Title }} · {{ .Lastmod.Format "2006-01-02" }}</p></footer>
</body></html>
"""

HUGO_SEARCH_INDEX = """{{- $docs := slice -}}
{{- range .Site.RegularPages -}}{{- $docs = $docs | append (dict "location" .RelPermalink "title" .Title "text" .Plain) -}}{{- end -}}
{{- range .Site.Sections -}}{{- $docs = $docs | append (dict "location" .RelPermalink "title" .Title "text" .Plain) -}}{{- end -}}
{{- dict "docs" $docs | jsonify -}}
"""


def hugo_site(mkdocs_site: Path, target: Path) -> Path:
    """The same Markdown pages as a Hugo site whose templates write what a
    Material page shows: head and header, the whole navigation with the
    current page marked, the table of contents, the content and previous /
    next links; plus an RSS feed per section, a sitemap and a JSON search
    index of every page, as stock MkDocs + Material writes a search index
    and a sitemap. (Earlier runs used a title, a section list and the
    content only, which made Hugo about twice as fast as this.)"""
    content = target / "content"
    shutil.copytree(mkdocs_site / "docs", content)
    for page in content.rglob("*.md"):
        text = page.read_text()
        title = text.split("\n", 1)[0].removeprefix("# ").replace('"', "'")
        page.write_text(f'---\ntitle: "{title}"\n---\n' + text)
    for index in content.rglob("index.md"):
        index.rename(index.with_name("_index.md"))
    layouts = target / "layouts" / "_default"
    layouts.mkdir(parents=True)
    for name in ("single.html", "list.html"):
        (layouts / name).write_text(HUGO_PAGE)
    (target / "layouts" / "index.json").write_text(HUGO_SEARCH_INDEX)
    (target / "static" / "assets").mkdir(parents=True)
    (target / "static" / "assets" / "main.css").write_text("body { font-family: sans-serif; }\n")
    (target / "hugo.toml").write_text('baseURL = "https://example.org/"\ntitle = "bench"\n'
                                      'disableKinds = ["taxonomy", "term"]\n'
                                      '[outputs]\nhome = ["HTML", "RSS", "JSON"]\nsection = ["HTML", "RSS"]\n')
    return target


def _parallel_wall(commands: list[tuple[list[str], Path]], jobs: int) -> float:
    """Wall time of running the commands ``jobs`` at a time."""
    from concurrent.futures import ThreadPoolExecutor

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(lambda item: run(item[0], cwd=item[1]), commands))
    return time.perf_counter() - started


def forget_baseline_results(cache: Path) -> None:
    """The baseline's full build starts without anything an earlier build
    kept (its converted Markdown, search entries, audited files, dashboard
    shares, read-back results, compiled templates), as after a fresh
    checkout; the parsed and validated portfolio its `cxsite check` just
    cached stays, as in the CI recipe (check, then build)."""
    for kind in ("markdown", "search", "audit", "dashboard", "verified", "jinja"):
        for memo in cache.glob(f"cxsite/{kind}-*"):
            shutil.rmtree(memo, ignore_errors=True)


def forget_everything(cache: Path) -> None:
    """This code's full build starts with what `cxsite check` alone keeps
    (each file's parsed document, each customer validated; check converts
    no Markdown), as the baseline's does: the store is emptied, then check
    runs again, untimed (see bench_side)."""
    shutil.rmtree(cache / "cxsite", ignore_errors=True)


@dataclass
class Side:
    """One code base measured: its Python, its mkdocs.yml, its own cache."""

    label: str
    python: str
    config: Path
    forget: Callable[[Path], None]
    check_after_forget: bool = False   # run `cxsite check` (untimed) after forgetting
    figures: dict = field(default_factory=dict)

    @property
    def cxsite(self) -> list[str]:
        return [self.python, "-m", "cxsite"]


def current_side() -> Side:
    revision = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                              text=True).stdout.strip() or "working tree"
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "cxsite", "theme", "mkdocs.yml"], cwd=REPO,
                           capture_output=True, text=True).stdout.strip()
    return Side(f"after ({revision}{' + changes' if dirty else ''})", sys.executable, REPO / "mkdocs.yml",
                forget_everything, check_after_forget=True)


def baseline_side(revision: str, work: Path) -> Side:
    """``revision`` checked out beside the repository, installed into its own venv."""
    tree = work / f"baseline-{revision}"
    if not tree.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), revision], cwd=REPO, check=True,
                       capture_output=True)
    venv = work / f"baseline-{revision}-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-e", str(tree)], check=True)
    return Side(f"before ({revision})", str(python), tree / "mkdocs.yml", forget_baseline_results)


def settle(out: Path, limit: float = 300.0) -> None:
    """Wait until the tree the full build replaced is deleted (a detached
    `rm` of 2 GB on 500 customers; see fsutil.discard), so that the no-change
    build is timed as a push minutes later would find the machine, not while
    that deletion competes for the disk."""
    deadline = time.monotonic() + limit
    while any(out.parent.glob(f".{out.name}.*.trash")) and time.monotonic() < deadline:
        time.sleep(0.5)


def bench_side(side: Side, name: str, portfolio: Path, work: Path, jobs: int, serial: bool) -> dict:
    """Every cxsite figure of one side, on a fresh copy of the portfolio."""
    tag = "before" if side.label.startswith("before") else "after"
    copy = work / f"{name}-{tag}-projects"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(portfolio, copy)
    out = work / f"{name}-{tag}-site"
    shutil.rmtree(out, ignore_errors=True)
    cache = work / f"cache-{tag}"
    shutil.rmtree(cache, ignore_errors=True)
    env = {"XDG_CACHE_HOME": str(cache), "CXSITE_CACHE_DIR": str(cache / "cxsite")}
    env_now = ["--now", NOW]
    build = [*side.cxsite, "build", str(copy), "--out", str(out), *env_now, "--config", str(side.config)]
    figures: dict = {}

    def timed(command: list[str]) -> float:
        return run(command, cwd=work, env=env)

    figures["check"] = timed([*side.cxsite, "check", str(copy), *env_now])   # cold caches, warm after
    figures["check_warm"] = timed([*side.cxsite, "check", str(copy), *env_now])
    def forget() -> None:
        side.forget(cache)
        if side.check_after_forget:
            timed([*side.cxsite, "check", str(copy), *env_now])

    if serial:
        forget()
        figures["full_serial"] = timed([*build, "--clean", "-j", "1"])
    forget()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    figures["full"] = timed([*build, "--clean", "-j", str(jobs)])
    figures["peak_rss_mb"] = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    figures["worker_rss_mb"] = builder_peak()
    figures["pages"] = sum(1 for _ in out.rglob("index.html"))
    settle(out)
    figures["nochange"] = timed([*build, "-j", str(jobs)])
    updates = sorted((copy / "customer-0000" / "project-0" / "updates").glob("*.md"))
    update = updates[-1]
    update.write_text(update.read_text() + f"\nEdited at {time.time()}.\n")
    figures["one_edit"] = timed([*build, "-j", str(jobs)])
    edit_peaks = [builder_peak()]
    update = updates[-2]
    update.write_text(update.read_text() + f"\nEdited again at {time.time()}.\n")
    figures["one_edit_changed"] = timed([*build, "-j", str(jobs), "--changed", str(update)])
    edit_peaks.append(builder_peak())
    update = updates[-3]
    update.write_text(update.read_text() + f"\nEdited once more at {time.time()}.\n")
    figures["one_edit_push"] = timed([*build, "-j", str(jobs), "--changed", str(update), "--no-dashboard"])
    edit_peaks.append(builder_peak())
    figures["edit_rss_mb"] = max(edit_peaks)
    figures["disk"] = du(out)
    figures["disk_apparent"] = du(out, apparent=True)
    shutil.rmtree(copy, ignore_errors=True)
    return figures


def bench_others(name: str, portfolio: Path, customers: int, count: int, work: Path, jobs: int) -> dict:
    """Stock MkDocs + Material and Hugo on the same pages of ``count``
    customers, scaled to the whole portfolio per site."""
    stock_sites, hugo_dirs = [], []
    for index in range(count):
        customer = f"customer-{index:04d}"
        site = stock_mkdocs_site(portfolio, customer, work / f"{name}-stock" / customer)
        stock_sites.append(([sys.executable, "-m", "mkdocs", "build", "-q"], site))
        hugo_dirs.append(hugo_site(site, work / f"{name}-hugo" / customer))
    figures: dict = {"sample": count}
    # Stock MkDocs: one `mkdocs build` per customer, `jobs` at a time (the same cores cxsite uses).
    figures["stock_mkdocs"] = _parallel_wall(stock_sites, jobs) * customers / count
    have_hugo = shutil.which("hugo") is not None
    hugo = sum(run(["hugo", "--quiet"], cwd=d) for d in hugo_dirs) if have_hugo else 0.0
    figures["hugo"] = hugo * customers / count if have_hugo else None  # hugo uses every core itself
    shutil.rmtree(work / f"{name}-stock", ignore_errors=True)
    shutil.rmtree(work / f"{name}-hugo", ignore_errors=True)
    return figures


def bench_variant(name: str, customers: int, work: Path, jobs: int, sample: int, serial: bool,
                  sides: list[Side]) -> dict:
    portfolio = work / f"{name}-projects"
    if not portfolio.exists():
        generate(portfolio, customers)
    variant: dict = {"customers": customers, **bench_others(name, portfolio, customers, min(sample, customers),
                                                            work, jobs)}
    variant["sides"] = [(side.label, bench_side(side, name, portfolio, work, jobs, serial)) for side in sides]
    return variant


def report(results: list[dict], jobs: int) -> str:
    lines = [
        "# cxsite benchmark",
        "",
        f"Measured {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC by `scripts/bench` on: {machine()}.",
        f"Builds use `--jobs {jobs}`. Each code base runs in turn on its own copy of the portfolio with its own",
        "cache folder. Stock MkDocs (one `mkdocs build` per customer, "
        f"{jobs} at a time) and Hugo (one `hugo` per customer;",
        "it uses every core itself) build the same pages for the customers sampled and are scaled to the",
        "whole portfolio per site.",
        "",
        "| portfolio | code | pages | check cold / warm | full build | pages/s | full, 1 job (speed-up) | no change "
        "| one update edited: scan / `--changed` / `--changed --no-dashboard` | stock MkDocs (sample) | Hugo "
        "| full / Hugo | full / stock MkDocs | peak RSS: any process / a full build's worker / an edit's builder "
        "| disk (apparent) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for variant in results:
        hugo_time = variant["hugo"]
        hugo = f"{hugo_time:.0f} s" if hugo_time else "n/a"
        for label, r in variant["sides"]:
            ratio = f"{r['full'] / hugo_time:.1f} x" if hugo_time else "n/a"
            serial = (f"{r['full_serial']:.0f} s ({r['full_serial'] / r['full']:.2f} x)" if r.get("full_serial")
                      else "not run")
            edit_rss = f"{r['edit_rss_mb']} MB" if r.get("edit_rss_mb") else "n/a"
            lines.append(
                f"| {variant['customers']} customers | {label} | {r['pages']} "
                f"| {r['check']:.1f} s / {r['check_warm']:.1f} s "
                f"| {r['full']:.0f} s | {r['pages'] / r['full']:.0f} | {serial} | {r['nochange']:.2f} s "
                f"| {r['one_edit']:.1f} s / {r['one_edit_changed']:.1f} s / {r['one_edit_push']:.1f} s "
                f"| {variant['stock_mkdocs']:.0f} s ({variant['sample']}) | {hugo} | {ratio} "
                f"| {r['full'] / variant['stock_mkdocs']:.1f} x "
                f"| {r['peak_rss_mb']:.0f} MB / {r['worker_rss_mb']} MB / {edit_rss} "
                f"| {r['disk'] / 2**20:.0f} MB ({r['disk_apparent'] / 2**20:.0f} MB) |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="only the 50-customer variant")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--work", type=Path, default=HERE / "work")
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    parser.add_argument("--baseline", default=BASELINE, metavar="REV",
                        help=f"also measure this revision, side by side (default {BASELINE}; 'none' to skip)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    args.work = args.work.resolve()
    sides = ([baseline_side(args.baseline, args.work)] if args.baseline != "none" else []) + [current_side()]
    # (name, customers, customers sampled for stock MkDocs and Hugo, also a 1-job build for the speed-up)
    variants = [("quick", 50, 50, True)] + ([] if args.quick else [("reference", 500, 50, False)])
    results = [bench_variant(name, customers, args.work, args.jobs, sample, serial, sides)
               for name, customers, sample, serial in variants]
    text = report(results, args.jobs)
    args.out.write_text(text + "\n" + NOTES, encoding="utf-8")
    print(text)


NOTES = (HERE / "notes.md").read_text(encoding="utf-8") if (HERE / "notes.md").exists() else ""

if __name__ == "__main__":
    main()
