"""Build hook: the wheel carries the bundled model set and the taxonomy.

``models/`` (the model set) and ``corpora/taxonomy.json`` stay the source of truth at the top
of the repository; building a wheel copies them into ``vnpolicy_nlp/bundled/`` of the build,
never into the source tree. Metadata lives in pyproject.toml.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildPyWithModels(build_py):
    """``build_py`` that also copies the model set and the taxonomy into the package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads models/ and corpora/ from the checkout
        models, taxonomy = ROOT / "models", ROOT / "corpora" / "taxonomy.json"
        if not (models / "manifest.json").is_file() or not taxonomy.is_file():
            raise SystemExit(f"cannot build: {models}/manifest.json or {taxonomy} is missing; the wheel must "
                             "carry the bundled model set and the taxonomy")
        target = Path(self.build_lib) / "vnpolicy_nlp" / "bundled"
        shutil.rmtree(target, ignore_errors=True)
        (target / "models").mkdir(parents=True)
        for f in sorted(models.iterdir()):
            if f.is_file():
                shutil.copy2(f, target / "models" / f.name)
        shutil.copy2(taxonomy, target / "taxonomy.json")


setup(cmdclass={"build_py": BuildPyWithModels})
