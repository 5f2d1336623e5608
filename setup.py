import os
import re

from setuptools import setup

HERE = os.path.dirname(os.path.abspath(__file__))


def _read(*parts: str) -> str:
    with open(os.path.join(HERE, *parts), encoding="utf-8") as handle:
        return handle.read()


# The one place the version is written; `checkov-emr --version` prints the same attribute.
VERSION = re.search(r'^__version__ = "([^"]+)"$', _read("checkov_emr_security", "__init__.py"), re.M).group(1)

setup(
    name="checkov-emr-security",
    version=VERSION,
    description="Checkov checks that reject Amazon EMR security configurations without at-rest or in-transit encryption",
    long_description=_read("README.md"),
    long_description_content_type="text/markdown",
    url="https://github.com/checkov-emr-security/checkov-emr-security",
    license="Apache-2.0",
    license_files=["LICENSE"],
    python_requires=">=3.9",
    classifiers=[
        "License :: OSI Approved :: Apache Software License",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3.9",
        "Programming Language :: Python :: 3.10",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
        "Topic :: Security",
    ],
    packages=["checkov_emr_security", "checkov_emr_security.checks"],
    package_dir={"checkov_emr_security.checks": "checks"},
    package_data={"checkov_emr_security.checks": ["emrsec/*.py"]},
    # 3.3.21 is the oldest Checkov that reads every input the pack does (older ones crash on .tf.json providers)
    install_requires=["checkov>=3.3.21,<4", "pyyaml>=6"],
    extras_require={"test": ["pytest>=8", "hypothesis>=6", "pre-commit>=3", "jsonschema>=4.18", "check-jsonschema>=0.28",
                             "yamllint>=1.32", "build>=1"]},
    entry_points={"console_scripts": ["checkov-emr=checkov_emr_security.cli:run"]},
)
