"""Shards from the job engines' environments (``--shard auto``), and the recipes in ``docs/recipes/``
run as their engines would run them: each recipe's own grade and merge commands, with the variables
Slurm, Kubernetes or GitHub Actions set, give the bytes an unsharded run gives.

The recipes grade lesson 01-reading; here they grade the small test lesson (``--lesson`` swapped,
``CORPUSKIT_GRADING`` pointing at its grading folder) so the test runs in seconds. Everything else
(the shard option, the variables, the output folders, the merge) is the recipe's own text.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from corpuskit.cli import EXIT_OK, main
from corpuskit.course.batch import BatchError
from corpuskit.course.shard import from_environment, resolve

COURSE = Path(__file__).parent / "fixtures" / "course"
RECIPES = Path(__file__).parents[1] / "docs" / "recipes"
CLASS = {  # submission -> fixture
    "alice.ipynb": "tiny-solution",
    "bob.ipynb": "partial-answers",
    "carol/tiny.ipynb": "cell-raises",
    "dave.ipynb": "not-json",
    "erin.ipynb": "eq-always-true",
}
RECIPE_LESSON = "01-reading"


# --- reading the environment -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "4"}, (1, 4)),
        ({"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4"}, (4, 4)),
        # --array=1-4: ids from 1, as Slurm sets them
        (
            {
                "SLURM_ARRAY_TASK_ID": "2",
                "SLURM_ARRAY_TASK_MIN": "1",
                "SLURM_ARRAY_TASK_MAX": "4",
                "SLURM_ARRAY_TASK_COUNT": "4",
                "SLURM_ARRAY_TASK_STEP": "1",
            },
            (2, 4),
        ),
        ({"SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_MIN": "5", "SLURM_ARRAY_TASK_MAX": "7"}, (3, 3)),
        # --array=0-6:2 runs 0, 2, 4, 6
        (
            {
                "SLURM_ARRAY_TASK_ID": "4",
                "SLURM_ARRAY_TASK_MIN": "0",
                "SLURM_ARRAY_TASK_MAX": "6",
                "SLURM_ARRAY_TASK_STEP": "2",
                "SLURM_ARRAY_TASK_COUNT": "4",
            },
            (3, 4),
        ),
        ({"JOB_COMPLETION_INDEX": "0", "CORPUSKIT_SHARD_COUNT": "3"}, (1, 3)),
        ({"JOB_COMPLETION_INDEX": "2", "CORPUSKIT_SHARD_COUNT": "3"}, (3, 3)),
        ({"GITHUB_ACTIONS": "true", "CORPUSKIT_SHARD_INDEX": "1", "CORPUSKIT_SHARD_COUNT": "2"}, (2, 2)),
    ],
)
def test_each_engine_names_the_shard(environ: dict[str, str], expected: tuple[int, int]) -> None:
    assert from_environment(environ) == expected


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({}, "no shard in the environment; run it as a Slurm job array"),
        ({"PATH": "/usr/bin"}, "or give --shard K/N"),
        ({"SLURM_ARRAY_TASK_ID": "2"}, "SLURM_ARRAY_TASK_MIN is not set"),
        ({"SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "4"}, "SLURM_ARRAY_TASK_ID='x' is not a whole number"),
        ({"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4"}, "index 4 of 4"),
        (
            {
                "SLURM_ARRAY_TASK_ID": "3",
                "SLURM_ARRAY_TASK_MIN": "1",
                "SLURM_ARRAY_TASK_MAX": "9",
                "SLURM_ARRAY_TASK_COUNT": "3",
            },
            "not one range",
        ),
        ({"JOB_COMPLETION_INDEX": "1"}, "CORPUSKIT_SHARD_COUNT is not: set it to the Job's completions"),
        ({"JOB_COMPLETION_INDEX": "3", "CORPUSKIT_SHARD_COUNT": "3"}, "index 3 of 3"),
        ({"GITHUB_ACTIONS": "true"}, "CORPUSKIT_SHARD_INDEX: ${{ strategy.job-index }}"),
        ({"CORPUSKIT_SHARD_INDEX": "0"}, "CORPUSKIT_SHARD_COUNT is not set"),
        ({"CORPUSKIT_SHARD_INDEX": "-1", "CORPUSKIT_SHARD_COUNT": "2"}, "index -1 of 2"),
    ],
)
def test_what_is_missing_is_named_in_one_line(environ: dict[str, str], message: str) -> None:
    with pytest.raises(BatchError) as caught:
        from_environment(environ)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_explicit_shards_stay_as_they_were() -> None:
    assert resolve("2/4", {"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "9"}) == (2, 4)
    with pytest.raises(BatchError, match="K/N"):
        resolve("auto-ish", {})


def test_the_command_line_says_what_is_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "class").mkdir()
    shutil.copy(COURSE / "tiny-solution.ipynb", tmp_path / "class" / "alice.ipynb")
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLURM_", "JOB_", "CORPUSKIT_SHARD", "GITHUB_"))
    }
    with pytest.MonkeyPatch.context() as patch:
        for name in set(os.environ) - set(environ):
            patch.delenv(name)
        patch.setenv("JOB_COMPLETION_INDEX", "0")
        code = main(["grade", str(tmp_path / "class"), "--shard", "auto", "--out", str(tmp_path / "out")])
    assert code != EXIT_OK
    err = capsys.readouterr().err
    assert "CORPUSKIT_SHARD_COUNT is not" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


# --- the recipes, run as their engines run them ------------------------------------------------


def _course(tmp_path: Path) -> Path:
    """A course folder as the recipes expect it: submissions/ (grading/ comes from CORPUSKIT_GRADING)."""
    folder = tmp_path / "course"
    for name, fixture in CLASS.items():
        (folder / "submissions" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(COURSE / f"{fixture}.ipynb", folder / "submissions" / name)
    return folder


def _retarget(command: str) -> str:
    """The recipe's command for the test lesson; the recipe must name its lesson exactly once."""
    assert command.count(f"--lesson {RECIPE_LESSON}") == 1, command
    return command.replace(f"--lesson {RECIPE_LESSON}", "--lesson tiny")


def _shell(command: str, cwd: Path, environ: Mapping[str, str], shell: str = "bash") -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLURM_", "JOB_", "CORPUSKIT_SHARD", "GITHUB_"))},
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "CORPUSKIT_GRADING": str(COURSE / "grading"),
        **environ,
    }
    done = subprocess.run([shell, "-c", command], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{command}\n{done.stderr[-3000:]}"


def _without_seconds(report: Path) -> dict[str, Any]:
    data = json.loads(report.read_text())
    data.pop("seconds")
    return dict(data)


def _same_as_unsharded(merged: Path, whole: Path) -> None:
    for name in ("summary.csv", "summary.md", "histogram.png", "reports.json"):
        assert (merged / name).read_bytes() == (whole / name).read_bytes(), name
    names = sorted(p.name for p in (whole / "reports").glob("*.json"))
    assert sorted(p.name for p in (merged / "reports").glob("*.json")) == names and len(names) == len(CLASS)
    # A report holds the seconds its grading took; everything else is the same bytes.
    for name in names:
        assert _without_seconds(merged / "reports" / name) == _without_seconds(whole / "reports" / name)


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = _course(tmp_path_factory.mktemp("whole"))
    _shell("corpuskit grade submissions/ --lesson tiny --jobs 2 --out grades", folder, {})
    return folder / "grades"


def _sbatch_command(script: Path) -> tuple[list[int], str]:
    text = script.read_text()
    array = re.search(r"^#SBATCH --array=(\d+)-(\d+)$", text, re.MULTILINE)
    body = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert body[0] == "set -euo pipefail", body
    ids = list(range(int(array[1]), int(array[2]) + 1)) if array else []
    return ids, "\n".join(body)


@pytest.mark.slow
def test_the_slurm_recipe_gives_an_unsharded_run(tmp_path: Path, whole: Path) -> None:
    ids, grade = _sbatch_command(RECIPES / "slurm-grade.sbatch")
    assert len(ids) > 1
    course = _course(tmp_path)
    for task in ids:  # the variables Slurm sets in each task of --array=MIN-MAX
        slurm = {"SLURM_ARRAY_JOB_ID": "4242", "SLURM_ARRAY_TASK_ID": str(task), "SLURM_ARRAY_TASK_STEP": "1"}
        slurm |= {"SLURM_ARRAY_TASK_MIN": str(ids[0]), "SLURM_ARRAY_TASK_MAX": str(ids[-1])}
        slurm |= {"SLURM_ARRAY_TASK_COUNT": str(len(ids)), "SLURM_CPUS_PER_TASK": "2"}
        _shell(_retarget(grade), course, slurm)
    merge_ids, merge = _sbatch_command(RECIPES / "slurm-merge.sbatch")
    assert not merge_ids
    _shell(merge, course, {"SLURM_JOB_ID": "4243"})
    _same_as_unsharded(course / "grades", whole)


def _container_command(container: dict[str, Any]) -> str:
    command = [*container.get("command", []), *container.get("args", [])]
    assert command[:2] == ["sh", "-c"] and len(command) == 3, command
    return str(command[2])


@pytest.mark.slow
def test_the_kubernetes_recipe_gives_an_unsharded_run(tmp_path: Path, whole: Path) -> None:
    documents = list(yaml.safe_load_all((RECIPES / "kubernetes-grade.yaml").read_text()))
    assert [d["kind"] for d in documents] == ["PersistentVolumeClaim", "Job"]
    claim, job = documents
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed"
    pod = spec["template"]["spec"]
    (container,) = pod["containers"]
    env = {e["name"]: e["value"] for e in container["env"]}
    # The count the manifest passes is the Job's own number of completions.
    assert env["CORPUSKIT_SHARD_COUNT"] == str(spec["completions"]) and spec["completions"] > 1
    assert [v["persistentVolumeClaim"]["claimName"] for v in pod["volumes"]] == [claim["metadata"]["name"]]
    (merge_job,) = yaml.safe_load_all((RECIPES / "kubernetes-merge.yaml").read_text())
    merge_pod = merge_job["spec"]["template"]["spec"]
    assert merge_pod["volumes"] == pod["volumes"]
    (merge_container,) = merge_pod["containers"]
    assert merge_container["workingDir"] == container["workingDir"]
    assert merge_container["volumeMounts"] == container["volumeMounts"]

    course = _course(tmp_path)
    for index in range(spec["completions"]):  # what the Job controller sets in each pod
        _shell(_retarget(_container_command(container)), course, {**env, "JOB_COMPLETION_INDEX": str(index)}, "sh")
    _shell(_container_command(merge_container), course, {}, "sh")
    _same_as_unsharded(course / "grades", whole)


def _expand(text: str, values: Mapping[str, str]) -> str:
    """GitHub's ``${{ name }}`` expressions, for the names the recipe uses."""

    def value(match: re.Match[str]) -> str:
        assert match[1] in values, f"an expression the test does not know: {match[0]}"
        return values[match[1]]

    return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", value, text)


def _step(steps: list[dict[str, Any]], name: str) -> dict[str, Any]:
    (found,) = [s for s in steps if s.get("name") == name or s.get("uses", "").startswith(name)]
    return found


@pytest.mark.slow
def test_the_github_actions_recipe_gives_an_unsharded_run(tmp_path: Path, whole: Path) -> None:
    workflow = yaml.safe_load((RECIPES / "github-actions-grade.yml").read_text())
    assert set(workflow) >= {"name", "on", "jobs"}  # "on" quoted, so YAML 1.1 does not read it as true
    grade, merge = workflow["jobs"]["grade"], workflow["jobs"]["merge"]
    assert merge["needs"] == "grade"
    total = len(grade["strategy"]["matrix"]["shard"])
    assert total > 1
    step = _step(grade["steps"], "Grade this shard")
    upload = _step(grade["steps"], "actions/upload-artifact")
    download = _step(merge["steps"], "actions/download-artifact")
    merging = _step(merge["steps"], "Merge the shards")

    course = _course(tmp_path)
    shards = course / download["with"]["path"]
    for index in range(total):  # the expressions of one matrix job
        values = {"strategy.job-index": str(index), "strategy.job-total": str(total)}
        env = {name: _expand(str(text), values) for name, text in step["env"].items()}
        _shell(_retarget(_expand(step["run"], values)), course, {**env, "GITHUB_ACTIONS": "true"})
        # upload-artifact, then download-artifact with a pattern: each artifact in a folder named after it
        name, path = _expand(upload["with"]["name"], values), _expand(upload["with"]["path"], values)
        assert re.fullmatch(download["with"]["pattern"].replace("*", ".*"), name)
        shutil.copytree(course / path, shards / name)
        shutil.rmtree(course / path)
    summary = tmp_path / "step-summary.md"
    _shell(merging["run"], course, {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)})
    _same_as_unsharded(course / "grades", whole)
    assert summary.read_text() == (whole / "summary.md").read_text()


def test_the_recipes_use_the_shard_the_engine_gives() -> None:
    graders = [recipe for recipe in sorted(RECIPES.iterdir()) if "merge" not in recipe.name]
    assert len(graders) == 3
    for recipe in graders:
        grade_lines = [line for line in recipe.read_text().splitlines() if "corpuskit grade submissions/" in line]
        assert grade_lines, recipe.name
        for line in grade_lines:
            argv = shlex.split(line.split("- ", 1)[-1].split("run: ", 1)[-1])
            assert argv[argv.index("--shard") + 1] == "auto", (recipe.name, line)
