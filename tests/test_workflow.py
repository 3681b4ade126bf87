"""The Pages workflow is valid GitHub Actions and runs the README's commands, no others."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"
ACTIONLINT = Path(sys.executable).parent / "actionlint"


def actionlint(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [ACTIONLINT, "-no-color", str(path)], capture_output=True, text=True, cwd=ROOT
    )


def test_actionlint_passes_on_the_workflow():
    done = actionlint(WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(WORKFLOW.read_text().replace("runs-on: ubuntu-latest", "runs-on: [", 1))
    assert actionlint(broken).returncode != 0


def steps(job: str) -> list[dict]:
    return yaml.safe_load(WORKFLOW.read_text())["jobs"][job]["steps"]


@pytest.mark.parametrize("job", ["build"])
def test_each_command_the_workflow_runs_is_one_the_readme_gives(job):
    readme = (ROOT / "README.md").read_text()
    commands = [s["run"].strip() for s in steps(job) if "run" in s]
    assert commands, f"the {job} job runs nothing"
    for command in commands:
        assert re.fullmatch(r"make [a-z-]+", command), f"{command!r} is not a README command"
        assert f"`{command}`" in readme or f"\n{command} " in readme, command


def test_the_site_is_tested_built_and_deployed_with_the_official_actions():
    build = [s.get("run") or s.get("uses") for s in steps("build")]
    assert build.index("make test") < build.index("make book") < build.index("make colab-test")
    assert build.index("make colab-test") == len(build) - 2
    assert build[-1].startswith("actions/upload-pages-artifact@")
    # make book's _build/site: the student edition at the site's address
    assert steps("build")[-1]["with"]["path"] == "_build/site"
    assert steps("deploy")[0]["uses"].startswith("actions/deploy-pages@")
