"""`palveluverkko scenario new`: a commented template that lists the region's sites and services
and reads back as a scenario, each entry working once uncommented."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from typer.testing import CliRunner

from palveluverkko import Scenario
from palveluverkko.cli import app
from palveluverkko.region import write_region
from palveluverkko.region.examples import tiny_region
from palveluverkko.scenario.template import scenario_template


def test_scenario_new_writes_a_commented_template(tmp_path: Path) -> None:
    """The file names every site with its services and every service, parses as a scenario
    with no changes, and refuses to overwrite without --force."""
    package = write_region(tiny_region(), tmp_path / "tiny")
    out = tmp_path / "s.toml"
    runner = CliRunner()
    result = runner.invoke(app, ["scenario", "new", str(package), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "#   s1  Alakylän sote-keskus" in text
    assert "#   hammashoito:" in text
    for entry in ("close", "convert", "open", "capacity", "channels", "mobile_unit"):
        assert f"# [[{entry}]]" in text
    sc = Scenario.from_toml(out)
    assert sc.name == "Uusi skenaario"
    assert sc.closures == ()
    again = runner.invoke(app, ["scenario", "new", str(package), "--out", str(out)])
    assert again.exit_code == 2
    assert "--force" in again.output


def _uncomment(text: str, entry: str) -> str:
    """The template with the block of ``[[entry]]`` uncommented."""
    block = re.search(rf"# \[\[{entry}\]\]\n(?:# [^\n]*\n)+", text)
    assert block is not None
    return text + "\n" + block.group(0).replace("# ", "")


def test_each_template_entry_applies_to_the_region() -> None:
    """Uncommented, the close, capacity and channels examples are valid for the region."""
    region = tiny_region()
    text = scenario_template(region, "en")
    assert text.startswith("# Scenario for the region Tiny example.")
    for entry in ("close", "capacity", "channels", "convert"):
        sc = Scenario.from_toml(_uncomment(text, entry))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            changed = sc.apply(region)
        assert changed is not None


DOCS = Path(__file__).resolve().parents[2] / "docs" / "scenarios.md"


def test_docs_show_every_key_with_examples_that_parse() -> None:
    """docs/scenarios.md names every key the reader accepts, and each TOML example reads."""
    from palveluverkko.scenario.toml_io import _ENTRY_KEYS, _TOP_KEYS

    text = DOCS.read_text(encoding="utf-8")
    keys = set(_TOP_KEYS) | {k for req, opt in _ENTRY_KEYS.values() for k in req | opt}

    def named(k: str) -> bool:
        return any(form in text for form in (f"`{k}`", f"[[{k}]]", f"`[{k}]`"))

    assert sorted(k for k in keys if not named(k)) == []
    examples = re.findall(r"```toml\n(.*?)```", text, re.S)
    assert len(examples) >= 9  # one per entry and a whole scenario
    for example in examples:
        Scenario.from_toml(example)
