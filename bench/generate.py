"""Generate a synthetic portfolio of the benchmark's reference shape.

Each customer has one audience, 5 projects and 20 updates per project, so
its microsite has about 110 pages (overview, archive, contacts, subscribe,
5 project pages, 100 update pages). The text is varied filler with
headings, lists, links and a table, like real updates.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

ZONES = ["Europe/London", "Europe/Berlin", "America/Chicago", "Australia/Sydney", "Asia/Tokyo"]
WORDS = ("migration cut-over testing training rollout network server ward plant line supplier budget risk "
         "milestone schedule design build acceptance handover support data integration release").split()


def sentence(rng: random.Random, n: int = 14) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def body(rng: random.Random) -> str:
    return "\n\n".join([
        " ".join(sentence(rng) for _ in range(4)),
        "## What this means for you",
        "\n".join(f"- {sentence(rng, 8)}" for _ in range(4)),
        "| Item | Status |\n|---|---|\n" + "\n".join(f"| {rng.choice(WORDS)} | {rng.choice(['done', 'open'])} |"
                                                for _ in range(3)),
        " ".join(sentence(rng) for _ in range(3)) + " See [the plan](https://example.com/plan).",
    ]) + "\n"


def generate(root: Path, customers: int, projects: int = 5, updates: int = 20, seed: int = 7) -> Path:
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    people = "\n".join(f"  p{i}:\n    name: Person {i} Example\n    title: Delivery Lead\n"
                       f"    email: p{i}@delivery.example\n    phone: \"+44 20 7946 {i:04d}\"" for i in range(20))
    (root / "team.yml").write_text(f"organisation:\n  name: Bench Delivery\npeople:\n{people}\n")
    start = dt.date(2026, 1, 5)
    for c in range(customers):
        slug = f"customer-{c:04d}"
        folder = root / slug
        folder.mkdir(exist_ok=True)
        (folder / "customer.yml").write_text(
            f"name: Customer {c} Ltd\ntimezone: {ZONES[c % len(ZONES)]}\ncx_owner: p{c % 20}\n"
            f"primary_contacts:\n  - {{person: p{c % 20}, handles: Everything}}\n"
            f"site: {{base_url: \"https://status.bench.example/{slug}/\"}}\n")
        for p in range(projects):
            project = folder / f"project-{p}"
            (project / "updates").mkdir(parents=True, exist_ok=True)
            (project / "project.yml").write_text(
                f"name: Project {p} of customer {c}\nsummary: {sentence(rng)}\nstatus: active\n"
                f"health: {rng.choice(['on_track', 'at_risk', 'off_track'])}\nhealth_reason: {sentence(rng, 10)}\n"
                f"percent_complete: {rng.randint(0, 100)}\nstart: {start}\nplanned_end: 2027-06-30\n"
                f"update_cadence: weekly\ncontacts: [p{(c + p) % 20}]\nmilestones:\n"
                + "".join(f"  - {{id: m{i}, title: Milestone {i}, planned: {start + dt.timedelta(days=60 * i)}}}\n"
                          for i in range(1, 5))
                + "disruptions:\n"
                + "".join(f"  - {{id: d{i}, title: Outage {i}, start: {start + dt.timedelta(days=90 * i)}T22:00, "
                          f"end: {start + dt.timedelta(days=90 * i + 1)}T04:00, affects: Everyone, impact: medium, "
                          f"announced: {start + dt.timedelta(days=90 * i - 20)}}}\n" for i in range(1, 4)))
            for u in range(updates):
                day = start + dt.timedelta(days=7 * u + p)
                (project / "updates" / f"{day}-update-{u}.md").write_text(
                    f"---\nid: u-{c}-{p}-{u}\ntitle: \"Week {u}: {sentence(rng, 5)[:-1]}\"\ndate: {day}T09:30\n"
                    f"author: p{(c + u) % 20}\nkind: progress\n---\n{body(rng)}")
    return root


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("--customers", type=int, default=500)
    args = parser.parse_args()
    generate(args.root, args.customers)
