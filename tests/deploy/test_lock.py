"""The production lock (requirements.txt, what the buildpack installs) agrees with setup.cfg:
every install_requires package pinned at a version its range allows, every pin hashed, the
app's build requirements in it (bin/post_compile installs the app from them, offline), and no
test or desktop extra in it. Offline: it reads the two files (``make lock`` regenerates)."""

from __future__ import annotations

import configparser
import importlib.metadata
import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.bulk_support import ROOT

PIN = re.compile(r"^([A-Za-z0-9._-]+)==(\S+)")


def _install_requires() -> set[str]:
    return {
        canonicalize_name(r.name)
        for r in _requirements(_setup_cfg()["options"]["install_requires"])
    }


def _setup_cfg() -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    parser.read(ROOT / "setup.cfg")
    return parser


def _requirements(text: str) -> list[Requirement]:
    return [Requirement(line.strip()) for line in text.strip().splitlines() if line.strip()]


def _lock() -> tuple[dict[str, str], dict[str, list[str]], dict[str, set[str]]]:
    """{name: version}, {name: hashes}, {name: what it is there for (the "# via" lines)}."""
    pins, hashes, via = {}, {}, {}
    current = None
    in_via = False
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            pins[current] = match.group(2).rstrip("\\").strip()
            hashes[current], via[current] = [], set()
            in_via = False
        elif current and "--hash=sha256:" in line:
            hashes[current].append(line.split("--hash=sha256:")[1].split()[0])
        elif current and line.strip().startswith("# via"):
            rest = line.split("# via", 1)[1].strip()
            if rest:
                via[current].add(rest)
            in_via = True
        elif current and in_via and line.strip().startswith("#   "):
            via[current].add(line.strip()[1:].strip())
        elif line.startswith("-") or (line and not line.startswith(" ")):
            in_via = False
    return pins, hashes, via


def test_every_install_requires_is_pinned_in_range_with_hashes():
    install_requires = _requirements(_setup_cfg()["options"]["install_requires"])
    pins, hashes, _ = _lock()
    assert install_requires and pins
    for requirement in install_requires:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is in setup.cfg but not in requirements.txt"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"requirements.txt pins {name}=={pins[name]}, outside setup.cfg's {requirement}"
        )
        # An extra (psycopg[binary]) brings its own packages: they must be locked too.
        for extra in requirement.extras:
            for dependency in importlib.metadata.requires(requirement.name) or []:
                needed = Requirement(dependency)
                if needed.marker and needed.marker.evaluate({"extra": extra}):
                    assert canonicalize_name(needed.name) in pins, (requirement, needed)
    for name, digests in hashes.items():
        assert digests, f"{name} has no --hash: pip's hash-checking mode would refuse the lock"


def test_the_lock_holds_nothing_setup_cfg_does_not_ask_for():
    """A package the lock has for the app itself must still be in install_requires (a removed
    dependency means ``make lock``), and the build requirements are there for bin/post_compile."""
    install_requires = _install_requires()
    pins, _, via = _lock()
    direct = {name for name, reasons in via.items() if "jobsmgmt (setup.cfg)" in reasons}
    assert direct == install_requires
    build = {
        canonicalize_name(Requirement(r).name)
        for r in tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    }
    assert build <= set(pins), "bin/post_compile needs the build requirements in the lock"
    for name, reasons in via.items():
        assert reasons, f"{name} is in the lock for no reason"


def test_no_test_or_desktop_extra_in_the_production_lock():
    extras = _setup_cfg()["options.extras_require"]
    runtime = _install_requires()
    pins, _, _ = _lock()
    for extra in extras:
        for requirement in _requirements(extras[extra]):
            name = canonicalize_name(requirement.name)
            if name not in runtime:
                assert name not in pins, f"{name} (extra {extra!r}) is in the production lock"


def test_the_buildpack_finds_python_version_and_the_lock_is_for_it():
    version = (ROOT / ".python-version").read_text().strip()
    assert re.fullmatch(r"3\.\d+", version)
    header = (ROOT / "requirements.txt").read_text().splitlines()[:8]
    assert any(f"pip-compile with Python {version}" in line for line in header), header
    assert "make lock" in "\n".join(header)
