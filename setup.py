"""Package list for setuptools (metadata lives in pyproject.toml).

``configs/`` is the project's top-level folder of default YAML; it is installed as the
data package ``recbole_ctx.configs`` so that a wheel carries every default.
"""
from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["recbole_ctx*", "dataset_converters*"]) + ["recbole_ctx.configs"],
    package_dir={"recbole_ctx.configs": "configs"},
)
