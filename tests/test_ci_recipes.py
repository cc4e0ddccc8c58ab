"""examples/ci/: the CI recipes have the triggers they promise, and their
cxsite steps work on the demo portfolio.

Each recipe is read with ruamel.yaml (safe). Every GitHub Actions ``run:``
step and every GitLab CI ``script:`` item that calls ``cxsite`` is run with
``bash -eo pipefail -c`` (as both CI systems run them), in order, in a scratch
folder that stands in for a checkout: ``mkdocs.yml`` and ``theme/`` (links to
this repository's), a copy of the demo portfolio in ``projects/``, and
``git init`` (for ``git:`` publish targets). ``SOURCE_DATE_EPOCH`` is the
moment the demo is written for. Steps without cxsite (installing, uploading
artifacts, deploying to Pages, rsync) are not run. A step's ``env:`` values
that are GitHub expressions are replaced: ``CXSITE_PASSWORD_*`` secrets by a
test password, the server's folder ``STATUS_ROOT`` by a scratch folder; any
other expression fails the test, so nothing a step needs goes untested.

The demo takes about 20 s to build; a step that is the same in both recipes
(the build, the audit) runs once per module.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parent.parent
CI = REPO / "examples" / "ci"
GITHUB = CI / "github-actions.yml"
GITLAB = CI / "gitlab-ci.yml"
DEMO_EPOCH = "1795608000"     # 2026-11-25T12:00:00Z, the moment the demo portfolio is written for
CXSITE = re.compile(r"(?:^|[\s;&|(])cxsite\s")
GITLAB_KEYWORDS = {"default", "include", "stages", "variables", "workflow", "image", "services", "cache",
                   "before_script", "after_script"}
TIMEOUT = 600


def load(path: Path):
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Unit:
    recipe: str
    job: str
    name: str
    script: str
    env: tuple[tuple[str, str], ...]

    @property
    def where(self) -> str:
        return f"{self.recipe}: job {self.job!r}, {self.name}"


def github_units(doc) -> list[Unit]:
    units = []
    workflow_env = doc.get("env") or {}
    for job_id, job in doc["jobs"].items():
        for number, step in enumerate(job.get("steps") or [], start=1):
            run = step.get("run")
            if not run or not CXSITE.search(run):
                continue
            env = {**workflow_env, **(job.get("env") or {}), **(step.get("env") or {})}
            units.append(Unit(GITHUB.name, job_id, f"step {step.get('name') or number!r}", run,
                              tuple((str(k), str(v)) for k, v in env.items())))
    return units


def gitlab_units(doc) -> list[Unit]:
    units = []
    for job_id, job in doc.items():
        if job_id in GITLAB_KEYWORDS or job_id.startswith(".") or not isinstance(job, dict):
            continue
        env = {**(doc.get("variables") or {}), **(job.get("variables") or {})}
        for number, item in enumerate(job.get("script") or [], start=1):
            if CXSITE.search(item):
                units.append(Unit(GITLAB.name, job_id, f"script line {number}", item,
                                  tuple((str(k), str(v)) for k, v in env.items())))
    return units


def cxsite_commands(units: list[Unit]) -> list[str]:
    return [line.strip() for unit in units for line in unit.script.splitlines() if CXSITE.search(" " + line)]


# ------------------------------------------------------------------ triggers


def test_github_workflow_triggers():
    doc = load(GITHUB)
    on = doc["on"]                          # YAML 1.2: `on` is a key, not `true`
    assert "pull_request" in on
    assert "main" in on["push"]["branches"]
    crons = [entry["cron"] for entry in on["schedule"]]
    assert crons and all(len(cron.split()) == 5 for cron in crons)
    jobs = doc["jobs"]
    assert jobs["check"]["if"] == "github.event_name == 'pull_request'"
    assert jobs["publish"]["if"] == "github.event_name != 'pull_request'"
    deploys = [step for job in jobs.values() for step in job.get("steps") or []
               if str(step.get("uses", "")).startswith("actions/deploy-pages@")]
    assert deploys, "the Pages route deploys with actions/deploy-pages"


def test_gitlab_pipeline_triggers():
    doc = load(GITLAB)
    workflow = [rule["if"] for rule in doc["workflow"]["rules"]]
    assert any('"merge_request_event"' in rule for rule in workflow)
    assert any('"schedule"' in rule for rule in workflow)
    assert any("$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH" in rule for rule in workflow)
    assert ['$CI_PIPELINE_SOURCE == "merge_request_event"'] == [r["if"] for r in doc["check"]["rules"]]
    assert ["$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"] == [r["if"] for r in doc["pages"]["rules"]]
    assert doc["pages"]["artifacts"]["paths"] == ["public"]


def test_recipes_check_build_and_publish():
    github = cxsite_commands(github_units(load(GITHUB)))
    assert "cxsite check projects --strict --format github" in github
    assert "cxsite build projects --out site" in github
    assert "cxsite publish site --to static:pages --skip-private" in github
    assert 'cxsite publish site --to "folder:$STATUS_ROOT/www" --server-config "$STATUS_ROOT/access"' in github
    passwords = {key: value for job in load(GITHUB)["jobs"].values() for step in job.get("steps") or []
                 for key, value in (step.get("env") or {}).items() if key.startswith("CXSITE_PASSWORD_")}
    assert passwords and all(value == f"${{{{ secrets.{key} }}}}" for key, value in passwords.items())
    gitlab = cxsite_commands(gitlab_units(load(GITLAB)))
    assert "cxsite check projects --strict" in gitlab
    assert "cxsite build projects --out site" in gitlab
    assert "cxsite publish site --to static:public --skip-private" in gitlab
    for recipe in (GITHUB, GITLAB):     # no Python snippet, no deleting files by hand
        text = recipe.read_text(encoding="utf-8")
        assert "python3 -" not in text and "rm -rf" not in text and "-name .htaccess" not in text


# ------------------------------------------------------------------ running


def venv_bin() -> Path:
    for candidate in (REPO / ".venv" / "bin", Path(sys.executable).parent):
        if (candidate / "cxsite").exists():
            return candidate
    pytest.skip("cxsite is not installed: run scripts/build")


class Checkout:
    """A scratch checkout of the repository; runs units, each identical one once."""

    def __init__(self, root: Path, home: Path):
        self.root = root
        gitconfig = home / "gitconfig"
        gitconfig.write_text("")
        env = {key: value for key, value in os.environ.items()
               if key not in ("EDITOR", "VISUAL", "PYTHONPATH", "VIRTUAL_ENV")
               and not key.startswith(("CXSITE_", "GIT_", "GITHUB_", "CI_"))}
        env.update({"PATH": f"{venv_bin()}{os.pathsep}{os.environ.get('PATH', '')}", "HOME": str(home),
                    "GIT_CONFIG_GLOBAL": str(gitconfig), "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C.UTF-8",
                    "SOURCE_DATE_EPOCH": DEMO_EPOCH})
        self.env = env
        self.status_root = root.parent / "srv-status"
        self.done: dict[tuple[str, tuple[tuple[str, str], ...]], str] = {}

    def environment(self, unit: Unit) -> dict[str, str]:
        env = dict(self.env)
        for key, value in unit.env:
            if "${{" not in value:
                env[key] = value
            elif key.startswith("CXSITE_PASSWORD_"):
                env[key] = "ci:a-long-test-passphrase"
            elif key == "STATUS_ROOT":
                env[key] = str(self.status_root)
            else:
                pytest.fail(f"{unit.where}: the test does not know what to put in {key} ({value})")
        return env

    def run(self, unit: Unit) -> str | None:
        """None when the unit succeeded, else why it failed."""
        assert "${{" not in unit.script, f"{unit.where}: pass expressions through env:, not into the script"
        key = (unit.script, unit.env)
        if key in self.done:
            return None
        try:
            result = subprocess.run(["bash", "-eo", "pipefail", "-c", unit.script], cwd=self.root,
                                    env=self.environment(unit), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            return f"{unit.where}: timed out after {TIMEOUT} s:\n{unit.script}"
        if result.returncode != 0:
            return f"{unit.where}: exit {result.returncode}:\n{unit.script}\n--- output ---\n{result.stdout}"
        self.done[key] = result.stdout
        return None


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Checkout:
    tmp = tmp_path_factory.mktemp("ci")
    root = tmp / "checkout"
    root.mkdir()
    (root / "mkdocs.yml").symlink_to(REPO / "mkdocs.yml")
    (root / "theme").symlink_to(REPO / "theme", target_is_directory=True)
    shutil.copytree(REPO / "projects", root / "projects")
    home = tmp / "home"
    home.mkdir()
    checkout = Checkout(root, home)
    subprocess.run(["git", "init", "-q", str(root)], check=True, env=checkout.env)
    return checkout


def run_all(checkout: Checkout, units: list[Unit]) -> None:
    assert units
    for unit in units:
        failure = checkout.run(unit)
        assert failure is None, failure


def microsites(folder: Path) -> set[str]:
    return {f"{c.name}/{a.name}" for c in folder.iterdir() if c.is_dir() and not c.name.startswith(("_", "."))
            for a in c.iterdir() if (a / "index.html").is_file()}


DEMO_PRIVATE = "northbridge-health"


def assert_static_host_layout(checkout: Checkout, folder: Path) -> None:
    """A layout for GitHub or GitLab Pages: the demo's microsites but the private
    customer's, and none of the files meant for nginx, Apache or Netlify."""
    manifest = json.loads((folder.parent / "site" / "manifest.json").read_text())
    expected = {s["key"] for s in manifest["sites"] if s["access"] != "private"}
    assert expected and microsites(folder) == expected
    assert not (folder / DEMO_PRIVATE).exists()
    leftovers = [p for p in folder.rglob("*") if p.name in ("_access", "_headers", ".htaccess", "manifest.json",
                                                            "nginx.conf") or p.suffix == ".htpasswd"]
    assert not leftovers, leftovers
    assert not (folder.parent / f"{folder.name}-access").exists()
    # The log names what was left out.
    (output,) = [out for (script, _), out in checkout.done.items() if f"static:{folder.name}" in script]
    assert f"(--skip-private): {DEMO_PRIVATE}/" in output


def test_github_steps_run_on_the_demo(checkout):
    run_all(checkout, github_units(load(GITHUB)))
    assert_static_host_layout(checkout, checkout.root / "pages")
    # The server route: every microsite, the private customer's behind its password, whose hashes and
    # the nginx configuration are outside the web root.
    www, access = checkout.status_root / "www", checkout.status_root / "access"
    assert DEMO_PRIVATE in {key.split("/")[0] for key in microsites(www)}
    assert microsites(www) == microsites(checkout.root / "site")
    assert not [p for p in www.rglob("*") if p.suffix == ".htpasswd" or p.name in ("nginx.conf", "_access")]
    htpasswd = (access / f"{DEMO_PRIVATE}.htpasswd").read_text()
    assert htpasswd.startswith("ci:$apr1$")
    assert str(access / f"{DEMO_PRIVATE}.htpasswd") in (access / "nginx.conf").read_text()
    assert sorted(p.name for p in checkout.status_root.iterdir()) == ["access", "www"]   # nothing else to rsync


def test_gitlab_script_runs_on_the_demo(checkout):
    run_all(checkout, gitlab_units(load(GITLAB)))
    assert_static_host_layout(checkout, checkout.root / "public")
