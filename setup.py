"""Packaging beyond what pyproject.toml can say: the report template ships inside the package.

`report_template/` stays the source (a Quarto project at the top of the checkout); installed, it
is the package data folder `evalkit/render/template/`, so a non-editable install renders from any
directory. pyproject.toml cannot map a folder into packages it discovers, hence this file.
"""

from setuptools import find_packages, setup

TEMPLATE = "evalkit.render.template"

setup(
    packages=[*find_packages(include=["evalkit", "evalkit.*"]), TEMPLATE],
    package_dir={TEMPLATE: "report_template"},
    package_data={
        "": ["data/*.yaml", "data/*.json"],
        TEMPLATE: ["*.ipynb", "*.yml", "*.docx", "*.css", "*.typ", "*.py",
                   "pandoc/*.lua", "pandoc/translations/*.yaml"],
    },
)
