"""Which shard of a class this job grades, read from the job engine's environment (``--shard auto``).

Three engines run one copy of a command per index, and each says which copy this is:

- a Slurm job array (``sbatch --array=0-3``): ``SLURM_ARRAY_TASK_ID`` with
  ``SLURM_ARRAY_TASK_COUNT``, or ``SLURM_ARRAY_TASK_MIN``/``_MAX`` (and ``_STEP``);
- a Kubernetes Indexed Job (``completionMode: Indexed``): ``JOB_COMPLETION_INDEX``, counting from
  0. Kubernetes does not put the number of completions in the environment, so the manifest sets
  ``CORPUSKIT_SHARD_COUNT`` to the Job's ``completions``;
- a GitHub Actions matrix: nothing by default; the step passes ``strategy.job-index`` and
  ``strategy.job-total`` as ``CORPUSKIT_SHARD_INDEX`` and ``CORPUSKIT_SHARD_COUNT`` (``env:``).

Indexes count from 0 in every engine; shards count from 1 (``--shard K/N``).
"""

from __future__ import annotations

from collections.abc import Mapping

from corpuskit.course.batch import BatchError, parse_shard

INDEX = "CORPUSKIT_SHARD_INDEX"
COUNT = "CORPUSKIT_SHARD_COUNT"
SLURM_ID = "SLURM_ARRAY_TASK_ID"
KUBERNETES_INDEX = "JOB_COMPLETION_INDEX"

HOW = (
    f"a Slurm job array ({SLURM_ID}), a Kubernetes Indexed Job ({KUBERNETES_INDEX} with {COUNT}) "
    f"or a GitHub Actions matrix ({INDEX} and {COUNT} set from strategy.job-index and strategy.job-total)"
)


def _number(environ: Mapping[str, str], name: str, engine: str) -> int:
    text = environ.get(name)
    if text is None:
        raise BatchError(f"--shard auto: {engine}, but {name} is not set")
    try:
        return int(text.strip())
    except ValueError:
        raise BatchError(f"--shard auto: {name}={text!r} is not a whole number") from None


def _checked(index: int, count: int, engine: str, names: str) -> tuple[int, int]:
    if count < 1 or not 0 <= index < count:
        raise BatchError(f"--shard auto: {engine} index {index} of {count} ({names}) is out of range")
    return index + 1, count


def _slurm(environ: Mapping[str, str]) -> tuple[int, int]:
    engine = f"a Slurm job array ({SLURM_ID} is set)"
    task = _number(environ, SLURM_ID, engine)
    if "SLURM_ARRAY_TASK_MIN" not in environ and "SLURM_ARRAY_TASK_COUNT" in environ:
        # Only the count: the array runs 0 .. count-1.
        return _checked(task, _number(environ, "SLURM_ARRAY_TASK_COUNT", engine), engine, SLURM_ID)
    low = _number(environ, "SLURM_ARRAY_TASK_MIN", engine)
    high = _number(environ, "SLURM_ARRAY_TASK_MAX", engine)
    step = _number(environ, "SLURM_ARRAY_TASK_STEP", engine) if "SLURM_ARRAY_TASK_STEP" in environ else 1
    count = (high - low) // step + 1 if step > 0 else 0
    listed = environ.get("SLURM_ARRAY_TASK_COUNT")
    if step <= 0 or (task - low) % step or (listed is not None and listed.strip() != str(count)):
        raise BatchError(
            f"--shard auto: the Slurm array is not one range (min {low}, max {high}, step {step}, "
            f"count {listed}); submit it as --array=0-N"
        )
    return _checked((task - low) // step, count, engine, f"{SLURM_ID} from SLURM_ARRAY_TASK_MIN")


def from_environment(environ: Mapping[str, str]) -> tuple[int, int]:
    """``(K, N)`` for this job, from the first engine whose variables are set; a one-line error otherwise."""
    if SLURM_ID in environ:
        return _slurm(environ)
    if KUBERNETES_INDEX in environ:
        engine = f"a Kubernetes Indexed Job ({KUBERNETES_INDEX} is set)"
        index = _number(environ, KUBERNETES_INDEX, engine)
        if COUNT not in environ:
            raise BatchError(
                f"--shard auto: {engine}, but {COUNT} is not: set it to the Job's completions in the manifest"
            )
        return _checked(index, _number(environ, COUNT, engine), engine, KUBERNETES_INDEX)
    if INDEX in environ or COUNT in environ:
        engine = f"{INDEX} and {COUNT} name the shard"
        return _checked(_number(environ, INDEX, engine), _number(environ, COUNT, engine), engine, INDEX)
    if environ.get("GITHUB_ACTIONS") == "true":
        raise BatchError(
            f"--shard auto: in GitHub Actions, set {INDEX}: ${{{{ strategy.job-index }}}} and "
            f"{COUNT}: ${{{{ strategy.job-total }}}} in the step's env"
        )
    raise BatchError(f"--shard auto: no shard in the environment; run it as {HOW}, or give --shard K/N")


def resolve(text: str, environ: Mapping[str, str]) -> tuple[int, int]:
    """The ``--shard`` option: ``auto`` reads the environment, anything else is ``K/N``."""
    return from_environment(environ) if text == "auto" else parse_shard(text)
