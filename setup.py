from setuptools import setup

setup(
    name="checkov-emr-security",
    version="0.1.0",
    description="Checkov checks that reject Amazon EMR security configurations without at-rest or in-transit encryption",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.9",
    packages=["checkov_emr_security", "checkov_emr_security.checks"],
    package_dir={"checkov_emr_security.checks": "checks"},
    package_data={"checkov_emr_security.checks": ["emrsec/*.py"]},
    install_requires=["checkov>=3.3.30,<4", "pyyaml>=6"],
    extras_require={"test": ["pytest>=8", "hypothesis>=6", "pre-commit>=3", "jsonschema>=4.18", "check-jsonschema>=0.28",
                             "yamllint>=1.32"]},
    entry_points={"console_scripts": ["checkov-emr=checkov_emr_security.cli:run"]},
)
