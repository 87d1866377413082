"""The tests' article repositories: running git, the writer fixture's type, sample categories."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

# The checkout itself: the starter articles and the ``sanad`` package live here.
PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent

# write_article(article_id, lang="en", title=None, body=..., *, category=..., commit=True, ...)
ArticleWriter = Callable[..., Path]

CATEGORIES_YML = """\
accounts:
  order: 1
  icon: accounts
  ar: {name: الحسابات وكلمات المرور, description: تسجيل الدخول وكلمة المرور والتحقق بخطوتين}
  en: {name: Accounts and passwords, description: Signing in, passwords and two-step sign-in}
network:
  order: 2
  ar: {name: الشبكة, description: الاتصال بالشبكة والشبكة الافتراضية الخاصة}
  en: {name: Network, description: Wi-Fi and VPN}
support:
  order: 3
  ar: {name: الدعم, description: كيف تتواصل مع فريق الدعم}
  en: {name: Support, description: How to reach the support team}
"""


def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd`` and return its output; a failing command fails the test."""
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()
