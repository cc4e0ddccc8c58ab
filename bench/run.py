"""The benchmark behind bench/results.md (run it with scripts/bench).

Generates the reference portfolio (500 customers x 5 projects x 20 updates,
about 110 pages per customer) and a 50-customer quick variant, then
measures in one run, on this machine: `cxsite check`, a full build, a build
with no change, a build after one edited update, and the same pages built
by stock MkDocs + Material and by Hugo (on a sample of customers,
extrapolated per site). Timing lives here, never in the tests.
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
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402

CXSITE = [sys.executable, "-m", "cxsite"]
NOW = "2026-11-25T12:00:00+00:00"
SAMPLE = 5  # customers built with stock MkDocs and Hugo, then extrapolated per site


def run(command: list[str], cwd: Path | None = None) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return time.perf_counter() - started


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


def hugo_site(mkdocs_site: Path, target: Path) -> Path:
    """The same Markdown pages as a Hugo site with small equivalent templates."""
    content = target / "content"
    shutil.copytree(mkdocs_site / "docs", content)
    for index in content.rglob("index.md"):
        index.rename(index.with_name("_index.md"))
    layouts = target / "layouts" / "_default"
    layouts.mkdir(parents=True)
    base = ("<!doctype html><html><head><title>{{ .Title }}</title></head><body><nav><ul>"
            "{{ range .Site.Sections }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}"
            "</ul></nav><main>{{ .Content }}</main></body></html>")
    for name in ("single.html", "list.html"):
        (layouts / name).write_text(base)
    (target / "hugo.toml").write_text('baseURL = "https://example.org/"\ntitle = "bench"\n'
                                      'disableKinds = ["taxonomy", "term", "RSS"]\n')
    return target


def bench_variant(name: str, customers: int, work: Path, jobs: int) -> dict:
    portfolio = work / f"{name}-projects"
    if not portfolio.exists():
        generate(portfolio, customers)
    out = work / f"{name}-site"
    shutil.rmtree(out, ignore_errors=True)
    env_now = ["--now", NOW]
    figures: dict = {"customers": customers}
    cache = work / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    os.environ["XDG_CACHE_HOME"] = str(cache)  # a cold parse cache for the first check, warm after
    figures["check"] = run([*CXSITE, "check", str(portfolio), *env_now])
    figures["check_warm"] = run([*CXSITE, "check", str(portfolio), *env_now])
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    figures["full"] = run([*CXSITE, "build", str(portfolio), "--out", str(out), "--clean", "-j", str(jobs), *env_now,
                           "--config", str(REPO / "mkdocs.yml")])
    figures["peak_rss_mb"] = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    figures["pages"] = sum(1 for _ in out.rglob("index.html"))
    figures["nochange"] = run([*CXSITE, "build", str(portfolio), "--out", str(out), "-j", str(jobs), *env_now,
                               "--config", str(REPO / "mkdocs.yml")])
    update = sorted((portfolio / "customer-0000" / "project-0" / "updates").glob("*.md"))[-1]
    update.write_text(update.read_text() + f"\nEdited at {time.time()}.\n")
    figures["one_edit"] = run([*CXSITE, "build", str(portfolio), "--out", str(out), "-j", str(jobs), *env_now,
                               "--config", str(REPO / "mkdocs.yml")])
    figures["disk"] = du(out)
    figures["disk_apparent"] = du(out, apparent=True)
    sample = min(SAMPLE, customers)
    stock = hugo = 0.0
    have_hugo = shutil.which("hugo") is not None
    for index in range(sample):
        customer = f"customer-{index:04d}"
        site = stock_mkdocs_site(portfolio, customer, work / f"{name}-stock" / customer)
        stock += run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=site)
        if have_hugo:
            hugo_dir = hugo_site(site, work / f"{name}-hugo" / customer)
            hugo += run(["hugo", "--quiet"], cwd=hugo_dir)
    figures["stock_mkdocs"] = stock / sample * customers / jobs  # per site, spread over the same cores
    figures["hugo"] = hugo / sample * customers if have_hugo else None  # hugo uses every core itself
    shutil.rmtree(work / f"{name}-stock", ignore_errors=True)
    shutil.rmtree(work / f"{name}-hugo", ignore_errors=True)
    return figures


def report(results: list[dict], jobs: int) -> str:
    lines = [
        "# cxsite benchmark",
        "",
        f"Measured {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC by `scripts/bench` on: {machine()}.",
        f"Builds use `--jobs {jobs}`. Stock MkDocs and Hugo are measured on {SAMPLE} customers' sites and",
        "extrapolated per site (MkDocs spread over the same cores; Hugo parallelises itself).",
        "",
        "| portfolio | pages | check cold / warm | full build | pages/s | no change | one update edited | stock MkDocs (est.) "
        "| Hugo (est.) | full / Hugo | peak RSS | disk (apparent) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        hugo = f"{r['hugo']:.0f} s" if r["hugo"] else "n/a"
        ratio = f"{r['full'] / r['hugo']:.1f} x" if r["hugo"] else "n/a"
        lines.append(
            f"| {r['customers']} customers | {r['pages']} | {r['check']:.1f} s / {r['check_warm']:.1f} s | {r['full']:.0f} s | "
            f"{r['pages'] / r['full']:.0f} | {r['nochange']:.2f} s | {r['one_edit']:.1f} s | "
            f"{r['stock_mkdocs']:.0f} s | {hugo} | {ratio} | {r['peak_rss_mb']:.0f} MB | "
            f"{r['disk'] / 2**20:.0f} MB ({r['disk_apparent'] / 2**20:.0f} MB) |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="only the 50-customer variant")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--work", type=Path, default=HERE / "work")
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    variants = [("quick", 50)] + ([] if args.quick else [("reference", 500)])
    results = [bench_variant(name, customers, args.work, args.jobs) for name, customers in variants]
    text = report(results, args.jobs)
    args.out.write_text(text + "\n" + NOTES, encoding="utf-8")
    print(text)


NOTES = (HERE / "notes.md").read_text(encoding="utf-8") if (HERE / "notes.md").exists() else ""

if __name__ == "__main__":
    main()
