"""The package list, and how a wheel carries the suites (everything else is in pyproject.toml).

The checkout keeps `suites/`, `fixtures/`, `openapi/`, `reports/` and `conftest.py` at the top. A wheel puts
that tree under `msgflash_compliance/_bundle/` (package-dir maps `msgflash_compliance._bundle` to the project
root), so installing it adds only `msgflash_compliance` and `msgflash_reference` to site-packages: no top-level
`fixtures` (a PyPI testing library's name) or `suites`. `msgflash_compliance.contract.paths` finds the bundle;
a run puts it first on `sys.path`. The packages are found by walking the tree, so a new suite folder ships.
"""

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

BUNDLE = "msgflash_compliance._bundle"
BUNDLE_ROOT_MODULES = ("conftest",)  # of the root's .py files, only conftest.py belongs to the bundle
bundled = find_packages(include=["fixtures", "fixtures.*", "suites", "suites.*"])


class BuildPy(build_py):
    def find_package_modules(self, package: str, package_dir: str) -> list[tuple[str, str, str]]:
        modules = super().find_package_modules(package, package_dir)
        return [m for m in modules if m[1] in BUNDLE_ROOT_MODULES] if package == BUNDLE else modules


setup(
    packages=[
        *find_packages(include=["msgflash_compliance", "msgflash_compliance.*", "msgflash_reference",
                                "msgflash_reference.*"]),
        BUNDLE,  # the root's conftest.py; its data files (openapi/, reports/) are listed in pyproject.toml
        *(f"{BUNDLE}.{name}" for name in bundled),
    ],
    package_dir={BUNDLE: "."},
    cmdclass={"build_py": BuildPy},
)
