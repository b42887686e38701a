"""The config file: discovery, checking, precedence, and the init template."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from wres4 import Settings, compute
from wres4.cli import cli
from wres4.config import TEMPLATE, apply_options, discover, load
from wres4.errors import ConfigError

# Headers, statuses and course types that only a config file can map.
STAFF = """Emp Ref,Heritage,Census Day
1,A White - British,31/03/2024
2,A White - British,31/03/2024
3,Kurdish,31/03/2024
4,N Black or Black British - African,31/03/2024
"""
TRAINING = """Emp Ref,Kind,Result,When
1,Personal Growth,Signed Off,01/06/2023
2,Personal Growth,Booked,01/06/2023
3,Personal Growth,Signed Off,01/06/2023
4,Annual Refresher,Signed Off,01/06/2023
"""
CONFIG = """
[columns.staff]
person_id = "Emp Ref"
ethnicity = "Heritage"
snapshot = "Census Day"

[columns.training]
person_id = "Emp Ref"
type = "Kind"
status = "Result"
date = "When"

[ethnicity]
bme_label = "Global majority"

[ethnicity.overrides]
"Kurdish" = "BME"

[training]
accessed_statuses = ["Signed Off"]
non_mandatory_types = ["Personal Growth"]
mandatory_types = ["Annual Refresher"]
"""


@pytest.fixture
def trust(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "staff": tmp_path / "staff.csv",
        "training": tmp_path / "training.csv",
        "config": tmp_path / "wres4.toml",
    }
    paths["staff"].write_text(STAFF, encoding="utf-8")
    paths["training"].write_text(TRAINING, encoding="utf-8")
    paths["config"].write_text(CONFIG, encoding="utf-8")
    return paths


def trust_args(trust: dict[str, Path], *extra: str) -> list[str]:
    """compute over the trust's extracts with its config file, plus ``extra`` options."""
    return [
        "--config",
        str(trust["config"]),
        "compute",
        str(trust["staff"]),
        "--training",
        str(trust["training"]),
        *extra,
    ]


def run_json(*args: str, env: dict[str, str] | None = None) -> dict[str, object]:
    result = CliRunner().invoke(cli, [*args, "-f", "json", "-q"], env=env)
    assert result.exit_code == 0, result.output
    doc: dict[str, object] = json.loads(result.stdout)
    return doc


def test_config_maps_what_only_it_knows(trust: dict[str, Path]) -> None:
    doc = run_json(
        "--config",
        str(trust["config"]),
        "compute",
        str(trust["staff"]),
        "--training",
        str(trust["training"]),
    )
    row = doc["results"][0]  # type: ignore[index]
    # White: 1 and 2; 1 signed off a non-mandatory course, 2 only booked -> 1/2.
    # BME: 3 (Kurdish, by override) signed off; 4's course is mandatory -> 1/2.
    assert (row["white_headcount"], row["white_accessed"]) == (2, 1)
    assert (row["bme_headcount"], row["bme_accessed"]) == (2, 1)
    assert row["relative_likelihood"] == 1.0
    meta = doc["meta"]
    assert meta["groups"]["bme"] == "Global majority"  # type: ignore[index]
    assert meta["settings"]["config_file"] == str(trust["config"])  # type: ignore[index]


def test_without_the_config_the_extract_cannot_be_read(trust: dict[str, Path]) -> None:
    result = CliRunner().invoke(
        cli, ["compute", str(trust["staff"]), "--training", str(trust["training"])]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")


def test_config_is_found_through_the_environment(trust: dict[str, Path]) -> None:
    doc = run_json(
        "compute",
        str(trust["staff"]),
        "--training",
        str(trust["training"]),
        env={"WRES4_CONFIG": str(trust["config"])},
    )
    assert doc["results"][0]["bme_accessed"] == 1  # type: ignore[index]


def test_command_line_overrides_the_config(trust: dict[str, Path]) -> None:
    doc = run_json(
        "--config",
        str(trust["config"]),
        "compute",
        str(trust["staff"]),
        "--training",
        str(trust["training"]),
        "--bme-label",
        "Ethnic minority",
    )
    assert doc["meta"]["groups"]["bme"] == "Ethnic minority"  # type: ignore[index]


def test_bme_label_appears_in_human_output(trust: dict[str, Path]) -> None:
    result = CliRunner().invoke(cli, trust_args(trust, "-f", "table"))
    assert "Global majority staff are more likely" in result.stdout


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[reporting]\nwindow_month = 3\n", ", line 2: reporting.window_month: unknown key"),
        (
            '[reporting]\n\nwindow_months = "x"\n',
            ", line 3: reporting.window_months: must be a whole number",
        ),
        ("[nonsense]\n", ", line 1: nonsense: unknown section"),
        (
            '[ethnicity.overrides]\n"Kurdish" = "Purple"\n',
            ", line 2: ethnicity.overrides.Kurdish: 'Purple' must be White, BME or Unknown",
        ),
        (
            "[statistics]\nconfidence = 1.5\n",
            ", line 2: statistics.confidence: must be between 0 and 1",
        ),
        ("[columns.staff]\nwho = 'x'\n", ", line 2: columns.staff.who: unknown role"),
        ("reporting = [\n", ": not valid TOML"),
    ],
)
def test_bad_config_names_key_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "wres4.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load(path)
    assert str(err.value).startswith(f"{path}{message}")


def test_bad_config_is_a_usage_error_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "wres4.toml"
    path.write_text("[output]\nformat = 'pdf'\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(path), "compute", "x.csv"])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {path}, line 2: output.format")


def test_init_writes_a_template_that_is_used_unchanged(tmp_path: Path) -> None:
    target = tmp_path / "wres4.toml"
    result = CliRunner().invoke(cli, ["init", str(target)])
    assert result.exit_code == 0
    assert target.read_text(encoding="utf-8") == TEMPLATE
    config = load(target)
    # The template's active values are the defaults: results equal a run without it.
    plain = Settings()
    for name in (
        "window_months",
        "snapshot_month",
        "snapshot_day",
        "day_first",
        "bme_label",
        "small_threshold",
        "ci_method",
        "confidence",
        "disclosure",
        "round_ratios",
    ):
        assert getattr(config.settings, name) == getattr(plain, name), name
    assert config.output_format == "csv"


def test_init_template_gives_the_same_result(tmp_path: Path) -> None:
    examples = Path(__file__).resolve().parent.parent / "examples"
    target = tmp_path / "wres4.toml"
    CliRunner().invoke(cli, ["init", str(target)])
    with_config = compute(
        [examples / "staff.csv"],
        training=[examples / "training.csv"],
        settings=load(target).settings,
    )
    without = compute([examples / "staff.csv"], training=[examples / "training.csv"])
    columns = [c for c in without.table.columns if c != "flags"]
    assert with_config.table[columns].equals(without.table[columns])


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "wres4.toml"
    target.write_text("# mine\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["init", str(target)])
    assert result.exit_code == 2
    assert target.read_text(encoding="utf-8") == "# mine\n"
    assert CliRunner().invoke(cli, ["init", str(target), "--force"]).exit_code == 0
    assert target.read_text(encoding="utf-8") == TEMPLATE


def test_config_wins_over_builtin_lists(tmp_path: Path) -> None:
    path = tmp_path / "wres4.toml"
    path.write_text('[training]\nnot_accessed_statuses = ["Failed"]\n', encoding="utf-8")
    settings = load(path).settings
    assert "Failed" in settings.not_accessed_statuses
    assert "failed" not in settings.accessed_statuses


def test_discovery_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    local = tmp_path / "wres4.toml"
    local.write_text("", encoding="utf-8")
    other = tmp_path / "other.toml"
    other.write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert discover(None, {}) == Path("wres4.toml")
    assert discover(None, {"WRES4_CONFIG": str(other)}) == other
    assert discover(local, {"WRES4_CONFIG": str(other)}) == local
    with pytest.raises(ConfigError):
        discover(tmp_path / "missing.toml", {})


def test_apply_options_merges_column_maps() -> None:
    base = Settings(columns={"staff": {"person_id": "Emp Ref", "ethnicity": "Heritage"}})
    merged = apply_options(base, {"columns": {"staff": {"person_id": "Staff No"}}})
    assert merged.columns["staff"] == {"person_id": "Staff No", "ethnicity": "Heritage"}


def test_two_runs_give_identical_bytes(trust: dict[str, Path], tmp_path: Path) -> None:
    outputs = []
    for name in ("a.json", "b.json"):
        target = tmp_path / name
        result = CliRunner().invoke(cli, trust_args(trust, "-o", str(target)))
        assert result.exit_code == 0
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]


def test_piped_output_has_no_terminal_codes(trust: dict[str, Path]) -> None:
    for fmt in ("table", "csv", "markdown"):
        result = CliRunner().invoke(cli, trust_args(trust, "-f", fmt))
        assert "\x1b[" not in result.stdout + result.stderr, fmt


def test_the_bme_label_is_recognised_in_grouped_extracts(tmp_path: Path) -> None:
    # An extract that is already grouped, in the trust's own words for the BME group.
    staff = tmp_path / "staff.csv"
    staff.write_text(
        "Employee Number,Ethnic Origin,Snapshot Date\n"
        "1,White,31/03/2024\n2,Under-represented groups,31/03/2024\n",
        encoding="utf-8",
    )
    training = tmp_path / "training.csv"
    training.write_text(
        "Employee Number,Course Type,Status,Start Date\n2,CPD,Attended,01/06/2023\n",
        encoding="utf-8",
    )
    doc = run_json(
        "compute",
        str(staff),
        "--training",
        str(training),
        "--bme-label",
        "Under-represented groups",
    )
    row = doc["results"][0]  # type: ignore[index]
    assert (row["white_headcount"], row["bme_headcount"], row["bme_accessed"]) == (1, 1, 1)


def test_init_template_lists_every_role_of_every_input(tmp_path: Path) -> None:
    import re

    from wres4.funnel.log import LOG_ROLES
    from wres4.indicator.compute import AGGREGATE_ROLES, STAFF_ROLES, TRAINING_ROLES

    breakdowns = ("pay_band", "staff_group", "organisation", "site", "gender", "disability")
    wanted = {
        "staff": {*STAFF_ROLES, "accessed", *breakdowns},
        "training": set(TRAINING_ROLES),
        "aggregate": set(AGGREGATE_ROLES),
        "applications": set(LOG_ROLES),
    }
    sections = re.split(r"^\[columns\.(\w+)\]\n", TEMPLATE, flags=re.M)
    found = {
        kind: set(re.findall(r"^# (\w+) = ", body.split("\n[", 1)[0], flags=re.M))
        for kind, body in zip(sections[1::2], sections[2::2], strict=True)
    }
    assert found == wanted
    # Every commented key is valid as written: uncommented, the file still loads.
    active = re.sub(r"^# (\w+ = )", r"\1", TEMPLATE, flags=re.M)
    path = tmp_path / "wres4.toml"
    path.write_text(active, encoding="utf-8")
    settings = load(path).settings
    assert settings.columns["training"]["type"] == "Learning Category"
    assert settings.columns["staff"]["snapshot"] == "Extract Date"
