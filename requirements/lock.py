"""Turn `pip freeze` of an installed, tested environment into requirements/constraints.txt.

    pip freeze --exclude-editable | python requirements/lock.py --extras sentence-transformers,test,llm

Run it with the interpreter of the environment that was frozen: it takes
articlebot's requirements (with the given extras) from pyproject.toml, follows
them through that environment's installed metadata, and keeps only what they
reach. `make upgrade` calls it on a throwaway venv.

What it writes:
- `name==version` for every installed distribution articlebot needs, nothing else
  (packages installed by hand for an experiment are left out);
- local version labels dropped (`torch==2.13.0`, not `torch==2.13.0+cpu`): the
  CPU wheel still matches, and an index without local builds can still resolve;
- never a CUDA package (`nvidia-*`, `triton`): the lock is for the CPU torch;
- never a direct URL (`name @ file:///...`): pip refuses links as constraints, so
  such a dependency is pinned to the installed version instead.
"""

from __future__ import annotations

import argparse
import datetime
import platform
import re
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

PROJECT = "articlebot"
PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
CUDA_ONLY = re.compile(r"^(nvidia-.*|triton)$")
FREEZE_LINE = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:==(?P<version>\S+)|@\s*(?P<url>\S+))")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_closure(pyproject: Path, extras: set[str]) -> set[str]:
    """Canonical names of everything the project (with `extras`) needs, as installed here.

    The project's own requirements come from pyproject.toml (what the tree says now, even
    before a reinstall); theirs from the installed distributions' metadata."""
    try:
        from packaging.requirements import Requirement
    except ImportError:  # a bare venv: pip carries a copy
        from pip._vendor.packaging.requirements import Requirement  # type: ignore[no-redef]

    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    optional = project.get("optional-dependencies", {})
    unknown = extras - set(optional)
    if unknown:
        raise SystemExit(f"no such extra in {pyproject}: {', '.join(sorted(unknown))}")
    todo = [Requirement(line) for line in project.get("dependencies", [])]
    todo += [Requirement(line) for extra in sorted(extras) for line in optional[extra]]
    todo = [r for r in todo if not r.marker or r.marker.evaluate({"extra": ""})]
    needed: set[str] = set()
    missing: set[str] = set()
    visited: set[tuple[str, frozenset[str]]] = set()
    while todo:
        requirement = todo.pop()
        key = (canonical(requirement.name), frozenset(requirement.extras))
        if key in visited:
            continue
        visited.add(key)
        try:
            dist = distribution(requirement.name)
        except PackageNotFoundError:
            missing.add(requirement.name)
            continue
        needed.add(canonical(requirement.name))
        environments = [{"extra": extra} for extra in requirement.extras] or [{"extra": ""}]
        for line in dist.requires or []:
            inner = Requirement(line)
            if not inner.marker or any(inner.marker.evaluate(env) for env in environments):
                todo.append(inner)
    if missing:
        raise SystemExit(f"not installed in {sys.prefix}: {', '.join(sorted(missing))}; "
                         "install the project with these extras first")
    return needed - {canonical(PROJECT)}


def pins(freeze: list[str], needed: set[str]) -> tuple[list[str], list[str]]:
    """(`name==version` lines, notes on what was left out or changed)."""
    kept: dict[str, str] = {}
    notes: list[str] = []
    for line in freeze:
        match = FREEZE_LINE.match(line.strip())
        if not match or line.lstrip().startswith(("#", "-e")):
            continue
        name = match["name"]
        if CUDA_ONLY.match(canonical(name)):
            notes.append(f"left out {name}: CUDA packages never go in the lock (CPU torch)")
            continue
        if canonical(name) not in needed:
            if canonical(name) != canonical(PROJECT):
                notes.append(f"left out {name}: {PROJECT} does not need it")
            continue
        version = match["version"] or distribution(name).version
        if match["url"]:
            notes.append(f"pinned {name}=={version} instead of {match['url']} (pip takes no links as constraints)")
        public = version.split("+", 1)[0]
        if public != version:
            notes.append(f"pinned {name}=={public}: local label +{version.split('+', 1)[1]} dropped")
        kept[canonical(name)] = f"{name}=={public}"
    missing = sorted(needed - set(kept) - {"pip", "setuptools", "wheel"})
    if missing:
        raise SystemExit(f"installed but not in the freeze: {', '.join(missing)}")
    return [kept[name] for name in sorted(kept)], notes


def header(extras: str, source: str) -> str:
    today = datetime.date.today().isoformat()
    python = f"Python {platform.python_version()}, {sys.platform} {platform.machine()}"
    return (
        f"# Resolved versions of {PROJECT}[{extras}] and everything they need: the lock that\n"
        "# `make install`, `make install-test` and .ci/run use (pip install -c requirements/constraints.txt ...).\n"
        f"# Made {today} on {python} from {source}:\n"
        f"#   pip install -e '.[{extras}]'   (no constraints: the newest releases the ranges allow)\n"
        f"#   pip freeze --exclude-editable | python requirements/lock.py --extras {extras}\n"
        "# which keeps only what the project needs, writes torch==2.13.0 for the +cpu wheel and never\n"
        "# lists nvidia-* CUDA packages. Do not edit by hand: change pyproject.toml, then `make upgrade`.\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--extras", default="sentence-transformers,test,llm")
    parser.add_argument("--source", default="a throwaway venv (`make upgrade`)",
                        help="what was frozen, for the header")
    args = parser.parse_args()
    extras = {e.strip() for e in args.extras.split(",") if e.strip()}
    lines, notes = pins(sys.stdin.read().splitlines(), requirement_closure(PYPROJECT, extras))
    for note in notes:
        print(f"lock: {note}", file=sys.stderr)
    sys.stdout.write(header(",".join(e.strip() for e in args.extras.split(",") if e.strip()), args.source) + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
