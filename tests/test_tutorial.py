"""docs/tutorial.md works as written.

Every ```sh block of the tutorial is run, command by command and in order, with
``bash -e -c`` in a scratch folder that stands in for the repository root of a
fresh clone: it holds ``mkdocs.yml`` and ``theme/`` (symbolic links to this
repository's), and nothing else. In particular it has no ``projects/`` folder,
so a command that forgets ``--projects my-portfolio`` fails here instead of
quietly working on the demo portfolio. ``.venv/bin`` comes first on PATH, HOME
is empty, git has no user configuration, and EDITOR, VISUAL and
SOURCE_DATE_EPOCH are unset, as for a new user.

Skipped: ``scripts/build`` (this test already runs with the installed cxsite)
and the long-running ``cxsite serve`` line, which ``test_serve_line_serves``
starts on a free port instead and stops once it has answered.

A ```text block that directly follows a ```sh block is an excerpt of that
block's output: each of its lines must occur in one line of the output, where
``...`` stands for anything and durations (``0.04 s``) may differ. So the
tutorial fails this test when a command, an option or a message it shows
drifts from the CLI.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TUTORIAL = REPO / "docs" / "tutorial.md"
SERVE_MARK = "# (runs until Ctrl+C)"
SETUP_COMMANDS = ("scripts/build",)   # run once per clone; this test uses the installed cxsite
TIMEOUT = 300                          # seconds per command; the whole tutorial takes about 20 s


def venv_bin() -> Path:
    for candidate in (REPO / ".venv" / "bin", Path(sys.executable).parent):
        if (candidate / "cxsite").exists():
            return candidate
    pytest.skip("cxsite is not installed: run scripts/build")


# ------------------------------------------------------------------ parsing


@dataclass
class Block:
    lang: str
    lines: list[str]
    line: int                                   # line number of the opening fence
    excerpt: Block | None = None                # the ```text block right after a ```sh block


@dataclass
class Command:
    text: str
    line: int
    block: Block


def parse_blocks(text: str) -> list[Block]:
    """Fenced blocks in order; a ```text block that follows a ```sh block with
    only blank lines between becomes that block's ``excerpt``."""
    blocks: list[Block] = []
    lines = text.splitlines()
    i = 0
    previous_end = None
    while i < len(lines):
        opening = re.fullmatch(r"```(\w*)\s*", lines[i])
        if not opening:
            i += 1
            continue
        start = i
        i += 1
        body = []
        while i < len(lines) and not re.fullmatch(r"```\s*", lines[i]):
            body.append(lines[i])
            i += 1
        assert i < len(lines), f"docs/tutorial.md:{start + 1}: unclosed code block"
        block = Block(opening.group(1), body, start + 1)
        if (block.lang == "text" and blocks and blocks[-1].lang == "sh" and previous_end is not None
                and all(not line.strip() for line in lines[previous_end + 1:start])):
            blocks[-1].excerpt = block
        blocks.append(block)
        previous_end = i
        i += 1
    return blocks


def parse_commands(block: Block) -> list[Command]:
    """One command per line; a heredoc (``<<'EOF'`` ... ``EOF``) and lines
    continued with a trailing backslash belong to the command that starts them."""
    commands = []
    lines = block.lines
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip() or line.lstrip().startswith("#"):
            i += 1
            continue
        first = i
        parts = [line]
        while parts[-1].endswith("\\") and i + 1 < len(lines):
            i += 1
            parts.append(lines[i])
        heredoc = re.search(r"<<(-?)\s*(['\"]?)([A-Za-z_]\w*)\2", line)
        if heredoc:
            end = heredoc.group(3)
            i += 1
            while i < len(lines) and (lines[i].lstrip("\t") if heredoc.group(1) else lines[i]) != end:
                parts.append(lines[i])
                i += 1
            assert i < len(lines), f"docs/tutorial.md:{block.line + 1 + first}: heredoc without its {end} line"
            parts.append(lines[i])
        commands.append(Command("\n".join(parts), block.line + 1 + first, block))
        i += 1
    return commands


BLOCKS = parse_blocks(TUTORIAL.read_text(encoding="utf-8"))
COMMANDS = [command for block in BLOCKS if block.lang == "sh" for command in parse_commands(block)]


def is_serve(command: Command) -> bool:
    return "cxsite serve" in command.text


def is_setup(command: Command) -> bool:
    return command.text.split()[0] in SETUP_COMMANDS


# ---------------------------------------------------------------- running


@dataclass
class Run:
    root: Path
    env: dict[str, str]
    outputs: dict[int, str] = field(default_factory=dict)     # id(block) -> output of its commands
    failure: str | None = None


def scratch_env(tmp: Path) -> dict[str, str]:
    home = tmp / "home"
    home.mkdir()
    gitconfig = tmp / "gitconfig"
    gitconfig.write_text("")
    env = {key: value for key, value in os.environ.items()
           if key not in ("EDITOR", "VISUAL", "SOURCE_DATE_EPOCH", "PYTHONPATH", "VIRTUAL_ENV")
           and not key.startswith(("CXSITE_", "GIT_"))}
    env.update({"PATH": f"{venv_bin()}{os.pathsep}{os.environ.get('PATH', '')}", "HOME": str(home),
                "GIT_CONFIG_GLOBAL": str(gitconfig), "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C.UTF-8"})
    return env


@pytest.fixture(scope="module")
def tutorial(tmp_path_factory) -> Run:
    """The tutorial's commands run in order, stopping at the first that fails."""
    tmp = tmp_path_factory.mktemp("tutorial")
    root = tmp / "clone"
    root.mkdir()
    (root / "mkdocs.yml").symlink_to(REPO / "mkdocs.yml")
    (root / "theme").symlink_to(REPO / "theme", target_is_directory=True)
    run = Run(root, scratch_env(tmp))
    for command in COMMANDS:
        if is_serve(command) or is_setup(command):
            continue
        started = time.perf_counter()
        try:
            result = subprocess.run(["bash", "-e", "-c", command.text], cwd=root, env=run.env,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            run.failure = f"docs/tutorial.md:{command.line}: timed out after {TIMEOUT} s:\n{command.text}\n{exc.output}"
            break
        run.outputs[id(command.block)] = run.outputs.get(id(command.block), "") + result.stdout
        if result.returncode != 0:
            run.failure = (f"docs/tutorial.md:{command.line}: exit {result.returncode} after "
                           f"{time.perf_counter() - started:.1f} s:\n{command.text}\n--- output ---\n{result.stdout}")
            break
    return run


# ------------------------------------------------------------------- tests


def test_the_tutorial_is_written_in_the_house_style():
    assert COMMANDS, "docs/tutorial.md has no ```sh blocks"
    for block in BLOCKS:
        assert block.lang, f"docs/tutorial.md:{block.line}: give every code block a language (sh, text, yaml...)"
    for command in COMMANDS:
        where = f"docs/tutorial.md:{command.line}"
        assert not command.text.startswith("$ "), f"{where}: write plain commands, without a '$ ' prompt"
        assert not re.match(r"(cd|pushd|popd)\b", command.text), \
            f"{where}: every command runs from the repository root; do not change folders"
        if is_serve(command):
            assert command.text.rstrip().endswith(SERVE_MARK), f"{where}: end the serve line with '{SERVE_MARK}'"
    assert sum(map(is_serve, COMMANDS)) == 1, "the tutorial shows how to preview with `cxsite serve`, once"
    for needed in ("cxsite new customer", "cxsite new project", "cxsite new update", "cxsite set-health",
                   "cxsite milestone", "--reschedule", "--schedule", "cxsite decision", "cxsite check",
                   "cxsite build", "cxsite audit", "cxsite publish"):
        assert any(needed in c.text for c in COMMANDS), f"the tutorial no longer shows `{needed}`"


def test_every_command_succeeds(tutorial):
    assert tutorial.failure is None, tutorial.failure


def normalise(text: str) -> str:
    text = re.sub(r"\d+(?:\.\d+)? s\b", "N s", text)     # durations differ from run to run
    return " ".join(text.split())


def shown_in(expected: str, output_lines: list[str]) -> bool:
    pieces = [piece for piece in normalise(expected).split("...")]
    for line in output_lines:
        position = 0
        for piece in pieces:
            found = line.find(piece.strip(), position)
            if found < 0:
                break
            position = found + len(piece.strip())
        else:
            return True
    return False


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.excerpt], ids=lambda b: f"line-{b.line}")
def test_output_excerpts_are_what_the_commands_print(tutorial, block):
    if id(block) not in tutorial.outputs:
        pytest.fail(f"docs/tutorial.md:{block.line}: the block did not run (see test_every_command_succeeds)")
    output = [normalise(line) for line in tutorial.outputs[id(block)].splitlines()]
    missing = [line for line in block.excerpt.lines if line.strip() and line.strip() != "..."
               and not shown_in(line, output)]
    assert not missing, (f"docs/tutorial.md:{block.excerpt.line}: the excerpt shows lines the commands above it do "
                         f"not print:\n" + "\n".join(missing) + "\n--- they printed ---\n"
                         + tutorial.outputs[id(block)])


def test_the_built_and_published_site_has_the_customers_microsites(tutorial):
    assert tutorial.failure is None, tutorial.failure
    site = tutorial.root / "my-site"
    manifest = json.loads((site / "manifest.json").read_text())
    assert sorted(s["key"] for s in manifest["sites"]) == ["northwind-health/everyone", "northwind-health/executives"]
    for audience in ("everyone", "executives"):
        folder = site / "northwind-health" / audience
        for name in ("index.html", "feed.xml", "atom.xml", "feed.json", "calendar.ics",
                     "projects/epr-rollout/index.html", "contacts/ana-souza.vcf"):
            assert (folder / name).is_file(), f"{folder / name} is missing"
        assert (tutorial.root / "my-status" / "northwind-health" / audience / "index.html").is_file()
    assert not (tutorial.root / "my-status" / "manifest.json").exists()
    # What the story promises: the budget only for executives, the embargoed update out after its time,
    # the internal note nowhere.
    everyone = (site / "northwind-health/everyone/projects/epr-rollout/index.html").read_text()
    executives = (site / "northwind-health/executives/projects/epr-rollout/index.html").read_text()
    assert "1,250,000" in executives and "1,250,000" not in everyone
    assert "Data migration has started" in executives and "Data migration has started" not in everyone
    published = "\n".join(p.read_text(errors="replace") for p in (tutorial.root / "my-status").rglob("*")
                          if p.is_file())
    assert "sponsor worries" not in published


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_line_serves(tutorial):
    """The tutorial's `cxsite serve` line, on a free port, answers with the microsite."""
    assert tutorial.failure is None, tutorial.failure
    (serve,) = [c for c in COMMANDS if is_serve(c)]
    port = free_port()
    command = serve.text.split(SERVE_MARK)[0].rstrip() + f" --dev-addr 127.0.0.1:{port}"
    log = tutorial.root.parent / "serve.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(["bash", "-e", "-c", f"exec {command}"], cwd=tutorial.root, env=tutorial.env,
                                   stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        page = ""
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    page = response.read().decode("utf-8", "replace")
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        assert "Northwind Health" in page, (f"docs/tutorial.md:{serve.line}: `{command}` did not serve the "
                                            f"microsite:\n{log.read_text(errors='replace')}")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
