"""Project-level promises: settings documented, docker-compose consistent with the code."""

from __future__ import annotations

import re
import shutil
import subprocess

import yaml

from shrinksearch.settings import ES_VERSION, PROJECT_ROOT, Settings

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yml"


def test_every_setting_is_documented_in_the_readme():
    missing = [f"SHRINKSEARCH_{name.upper()}" for name in Settings.model_fields if f"SHRINKSEARCH_{name.upper()}" not in README]
    assert not missing, f"settings not in README.md: {missing}"


def test_every_setting_has_a_description():
    assert all(field.description for field in Settings.model_fields.values())


def test_compose_pins_the_same_elasticsearch_as_the_embedded_node():
    services = yaml.safe_load(COMPOSE_FILE.read_text())["services"]
    for name in ("elasticsearch", "kibana", "es1", "es2", "es3"):
        assert services[name]["image"].rsplit(":", 1)[1] == ES_VERSION


def test_compose_has_every_service_the_readme_mentions():
    services = set(yaml.safe_load(COMPOSE_FILE.read_text())["services"])
    section = README.split("## Docker", 1)[1].split("\n## ", 1)[0]
    mentioned = set(re.findall(r"`([a-z][a-z-]*)`", section)) - {"docker-compose.yml"}
    expected = {"flows", "samples", "web"} | {"elasticsearch", "kibana", "postgres", "prefect-server"}
    assert expected <= services
    assert {m for m in mentioned if m in {"flows", "samples", "web"}} <= services


def test_compose_mounts_the_vendored_hunspell_dictionary():
    elasticsearch = yaml.safe_load(COMPOSE_FILE.read_text())["services"]["elasticsearch"]
    mount = next(v for v in elasticsearch["volumes"] if "hunspell" in v)
    source = mount.split(":", 1)[0]
    assert (PROJECT_ROOT / source / "en_US" / "en_US.aff").is_file()


def test_compose_file_is_valid_for_docker_compose():
    docker_compose = shutil.which("docker-compose")
    assert docker_compose, "docker-compose (Debian package) is needed to validate the file; scripts/setup.sh installs it"
    result = subprocess.run([docker_compose, "-f", str(COMPOSE_FILE), "config", "--quiet"], capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert result.returncode == 0, result.stderr


def test_compose_commands_exist_in_the_cli():
    from typer.testing import CliRunner

    from shrinksearch.cli import app

    services = yaml.safe_load(COMPOSE_FILE.read_text())["services"]
    for name in ("flows", "samples", "web", "worker"):
        words = services[name]["command"].split()
        assert words[0] == "shrinksearch"
        subcommand = [w for w in words[1:] if not w.startswith("-")][:2]
        options = [w for w in words if w.startswith("--")]
        result = CliRunner().invoke(app, [*subcommand[: 2 if name in ("samples", "worker") else 1], "--help"])
        assert result.exit_code == 0, result.output
        for option in options:
            assert option in result.output, f"{name}: {option} not accepted by `{' '.join(subcommand)}`"
