"""The sandbox itself, outside Jupyter: its limits per kernel, the modules it hides, the user
namespaces it forbids, and the attack table run again as a normal user.

Each test runs a small program through the sandbox's own command line (``sandbox_argv``). A
machine without the sandbox fails these tests in CI and skips them elsewhere.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from corpuskit.course.sandbox import (
    CGROUP_CONTROLLERS,
    UID_BASE,
    Limits,
    _own_cgroup,
    grader_cgroup_name,
    hidden_paths,
    make_cgroups,
    probe,
    python_paths,
    remove_cgroups,
    sandbox_argv,
    sweep_cgroups,
    write_stub,
)

REPO = Path(__file__).resolve().parents[1]
HIDDEN = ("corpuskit.evaluate.spans", "corpuskit.extract")
RUNS = itertools.count()


@pytest.fixture
def sandbox_required() -> None:
    if probe().mode == "none":
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the sandbox: {probe().missing}")
        pytest.skip(f"needs the sandbox: {probe().missing}")


def in_sandbox(
    tmp_path: Path, code: str, limits: Limits | None = None, hidden: Sequence[str] = (), uid: int = UID_BASE
) -> subprocess.Popen[str]:
    """Start ``python -c code`` in the sandbox (not waited for)."""
    run_dir = tmp_path / f"run-{next(RUNS)}"
    run_dir.mkdir()
    write_stub(run_dir, hidden)
    argv = sandbox_argv(run_dir, probe().mode, limits or Limits(), uid, python_paths(), hidden_paths(hidden))
    return subprocess.Popen(
        [*argv, sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def result(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return out


FORK = """
import os, time
made = 0
for _ in range({n}):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(3)
        os._exit(0)
    made += 1
print(made)
"""


@pytest.mark.usefixtures("sandbox_required")
def test_each_kernel_has_its_own_process_count(tmp_path: Path) -> None:
    # Three sandboxes at once, as one uid would run them: each may start close to its limit of 40,
    # and none more; a shared count would leave the third with nothing.
    limits = Limits(processes=40)
    running = [in_sandbox(tmp_path, FORK.format(n=35), limits, uid=UID_BASE + 7) for _ in range(3)]
    greedy = in_sandbox(tmp_path, FORK.format(n=500), limits, uid=UID_BASE + 7)
    assert [int(result(p)) for p in running] == [35, 35, 35]
    assert 30 <= int(result(greedy)) < 40


WRITE = """
import errno, os
outcome = {}
import sys
places = [os.environ['TMPDIR'], '/tmp', os.getcwd(), '/dev/shm', '/dev', '/', '/var/tmp', os.path.dirname(os.__file__), sys.prefix]
places += [os.path.dirname(sys.prefix), '/usr', '/etc', os.path.expanduser('~')]
for place in places:
    try:
        with open(os.path.join(place, 'fill'), 'wb') as handle:
            for _ in range(200):
                handle.write(b'x' * 1_000_000)
        outcome[place] = 'wrote 200 MB'
    except OSError as err:
        outcome[place] = errno.errorcode[err.errno]
    try:
        os.remove(os.path.join(place, 'fill'))
    except OSError:
        pass
import json
print(json.dumps(outcome))
"""


@pytest.mark.usefixtures("sandbox_required")
def test_writes_land_in_a_sized_tmpfs_only(tmp_path: Path) -> None:
    outcome = json.loads(result(in_sandbox(tmp_path, WRITE, Limits(disk_mb=100))))
    assert outcome["/sandbox/tmp"] == outcome["/sandbox/work"] == outcome["/dev/shm"] == "ENOSPC", outcome
    # /tmp is the same tmpfs, unless the Python environment lives under the host's /tmp (a checkout
    # there): then /tmp holds that environment read-only, and $TMPDIR stays the place to write.
    under_tmp = any(path.is_relative_to("/tmp") for path in python_paths())
    assert outcome["/tmp"] == ("EROFS" if under_tmp else "ENOSPC"), outcome
    assert outcome["/"] == outcome["/dev"] == "EROFS", outcome
    assert all(v in ("ENOSPC", "EROFS", "EACCES", "ENOENT") for v in outcome.values()), outcome


@pytest.mark.usefixtures("sandbox_required")
def test_no_user_namespaces_inside(tmp_path: Path) -> None:
    # A user namespace of its own would let the kernel mount an unsized tmpfs in host memory.
    code = (
        "import subprocess\nprint(subprocess.run(['unshare', '-Urm', 'mount', '-t', 'tmpfs', 'x', '/mnt']).returncode)"
    )
    assert result(in_sandbox(tmp_path, code)).strip() != "0"


PEEK = """
import importlib, json, os, runpy, sys
import corpuskit
here = os.path.dirname(corpuskit.__file__)
seen = {}
for name in ('corpuskit.evaluate.spans', 'corpuskit.extract', 'corpuskit.extract.pipeline'):
    try:
        importlib.import_module(name)
        seen[name] = 'imported'
    except ImportError as err:
        seen[name] = str(err)
for path in ('evaluate/spans.py', 'extract/pipeline.py', 'extract/__init__.py'):
    try:
        seen[path] = open(os.path.join(here, path)).read()
    except OSError as err:
        seen[path] = type(err).__name__
seen['pycache'] = sorted(os.listdir(os.path.join(here, 'evaluate', '__pycache__')))
found = []
for root in set(sys.path) | {sys.prefix, here}:
    for folder, _, files in os.walk(root):
        for name in files:
            if not name.endswith(('.py', '.pyc', '.txt', '.md', '.json')):
                continue
            try:
                data = open(os.path.join(folder, name), 'rb').read()
            except OSError:
                continue
            if NEEDLE in data:
                found.append(os.path.join(folder, name))
seen['found'] = found
print(json.dumps(seen))
"""


@pytest.mark.usefixtures("sandbox_required")
def test_hidden_modules_cannot_be_imported_read_or_found(tmp_path: Path) -> None:
    import corpuskit.evaluate.spans as spans

    # A line of the module's docstring: in its source and, as a constant, in its compiled copy.
    needle = next(line for line in (spans.__doc__ or "").splitlines() if len(line) > 40).strip()
    source = Path(spans.__file__).read_text()
    assert needle in source
    seen = json.loads(result(in_sandbox(tmp_path, f"NEEDLE = {needle.encode()!r}\n" + PEEK, hidden=HIDDEN)))
    for name in ("corpuskit.evaluate.spans", "corpuskit.extract", "corpuskit.extract.pipeline"):
        assert "not available while grading" in seen[name] or "No module named" in seen[name], seen[name]
    assert "not available while grading" in seen["evaluate/spans.py"]
    assert seen["extract/pipeline.py"] == "FileNotFoundError"
    assert not any(name.startswith("spans.") for name in seen["pycache"])
    assert seen["found"] == []
    # Outside the sandbox the module is untouched.
    assert Path(spans.__file__).read_text() == source


def test_a_hidden_module_that_does_not_exist_is_an_error() -> None:
    from corpuskit.errors import GradingError

    with pytest.raises(GradingError, match="no such module"):
        hidden_paths(["corpuskit.no_such_module"])


def test_a_third_party_package_not_installed_has_nothing_to_hide() -> None:
    # nbclient is installed wherever the grader is (also in the normal user's test environment).
    import nbclient

    assert hidden_paths(["no_such_model_package", "nbclient"]) == [Path(nbclient.__file__).resolve().parent]


def _normal_user_python() -> tuple[str, str]:
    """The Python environment `nobody` can run and ``runuser``; fails in CI, skips elsewhere, without them."""
    python, runuser = os.environ.get("CORPUSKIT_USER_PYTHON", ""), shutil.which("runuser")
    if not python or runuser is None:
        why = "set CORPUSKIT_USER_PYTHON to a Python with corpuskit that `nobody` can run (scripts/test.sh makes one)"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    return python, runuser


def _readable_copy(source: Path, target: Path) -> None:
    """A copy of ``source`` that `nobody` can read (the checkout may live in root's home)."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


@pytest.mark.usefixtures("sandbox_required")
def test_attack_table_as_a_normal_user() -> None:
    """As root, run the attack table again as `nobody`, with a Python environment it can read."""
    if os.geteuid() != 0:
        assert probe().mode == "user"  # this run is the normal user's
        return
    python, runuser = _normal_user_python()
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "CI": os.environ.get("CI", ""), "LANG": "C.UTF-8", "HOME": "/tmp"}
    # With a group that opens files no one else may read, as an instructor's account may have.
    import grp

    try:
        groups = ["-G", grp.getgrnam("shadow").gr_name]
    except KeyError:
        groups = []
    command = [runuser, "-u", "nobody", *groups, "--", python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x"]
    # A copy of the tests `nobody` can read (the checkout may live in root's home).
    with tempfile.TemporaryDirectory(prefix="corpuskit-user-tests-") as copy:
        os.chmod(copy, 0o755)
        _readable_copy(REPO / "tests", Path(copy) / "tests")
        tests = [
            "tests/test_grade_attacks.py",
            "tests/test_grade_frames.py",
            "tests/test_course_sandbox.py",
            "tests/test_memory_watch.py",
        ]
        done = subprocess.run([*command, *tests], cwd=copy, env=env, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "skipped" not in done.stdout, done.stdout[-2000:]


@pytest.mark.usefixtures("sandbox_required")
def test_a_normal_user_without_a_writable_home_leaves_nothing_in_tmp() -> None:
    """jupyter_client looks for kernel folders under IPython's, which IPython makes in /tmp, and never
    removes, when the home folder is not writable (as for `nobody`)."""
    if os.geteuid() != 0:
        return  # run by root, as `nobody`
    python, runuser = _normal_user_python()
    with tempfile.TemporaryDirectory(prefix="corpuskit-home-test-") as copy:
        os.chmod(copy, 0o755)
        _readable_copy(REPO / "tests" / "fixtures" / "course", Path(copy) / "course")
        before = set(Path(tempfile.gettempdir()).glob("tmp*"))
        command = [runuser, "-u", "nobody", "--", python, "-m", "corpuskit", "grade"]
        course = Path(copy) / "course"
        arguments = [str(course / "tiny-solution.ipynb"), "--lesson", "tiny", "--grading", str(course / "grading")]
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/nonexistent", "LANG": "C.UTF-8"}
        done = subprocess.run([*command, *arguments], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "8 / 8" in done.stdout
    left = {p for p in set(Path(tempfile.gettempdir()).glob("tmp*")) - before if p.owner() == "nobody"}
    assert not left, left


def test_without_the_sandbox_grading_stops_unless_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    from corpuskit.course.sandbox import Isolation
    from corpuskit.errors import GradingError

    grading = importlib.import_module("corpuskit.course.grade")
    monkeypatch.setattr(grading, "probe", lambda: Isolation("none", ("bwrap is not installed",)))
    course = REPO / "tests" / "fixtures" / "course"
    kwargs = {"grading_dir": course / "grading", "lesson": "tiny", "limits": Limits(cell_timeout=10)}
    for mode in ("auto", "on"):
        with pytest.raises(GradingError, match=r"bwrap is not installed.*--sandbox off"):
            grading.grade(course / "tiny-solution.ipynb", sandbox=mode, **kwargs)
    report = grading.grade(course / "tiny-solution.ipynb", sandbox="off", **kwargs)
    assert report.score == 8 and report.sandbox == "off"
    assert report.isolation.startswith("none: NOT ISOLATED")
    assert any("not isolated" in w for w in report.warnings)


def test_only_the_cgroups_of_graders_that_are_gone_are_swept() -> None:
    if os.geteuid() != 0:
        # A normal user makes no cgroups (the attack table's run as `nobody`): the sweep finds none.
        assert not probe().cgroups and sweep_cgroups() == []
        return
    if not probe().cgroups:
        if os.environ.get("CI"):
            pytest.fail("CI runs as root with the cgroup v1 memory and pids controllers writable")
        pytest.skip("needs root and writable cgroup v1 memory and pids controllers")
    # Stand-ins for two graders: one killed (SIGKILL, so it removed nothing), one still running.
    killed = subprocess.Popen(["sleep", "600"])
    running = subprocess.Popen(["sleep", "600"])
    orphan = subprocess.Popen(["sleep", "600"])  # a kernel process the killed grader left in its cgroups
    folders: dict[str, list[Path]] = {"killed": [], "running": [], "reused pid": []}
    mine: list[Path] = []
    try:
        names = {
            "killed": grader_cgroup_name("test-k0", killed.pid),
            "running": grader_cgroup_name("test-k0", running.pid),
            # This process's pid with another start time: a grader that died and whose pid was reused.
            "reused pid": grader_cgroup_name("test-k0").replace(f"-{os.getpid()}-", f"-{os.getpid()}-1", 1),
        }
        killed.kill()
        killed.wait()
        for controller in CGROUP_CONTROLLERS:
            parent = _own_cgroup(controller)
            assert parent is not None
            for who, name in names.items():
                (parent / name).mkdir()
                folders[who].append(parent / name)
            (parent / names["killed"] / "cgroup.procs").write_text(str(orphan.pid))
        mine = make_cgroups("test-k1", Limits())  # this grader's own, in use

        swept = sweep_cgroups()

        assert set(folders["killed"] + folders["reused pid"]) <= set(swept)
        assert not any(folder.exists() for folder in folders["killed"] + folders["reused pid"])
        assert all(folder.exists() for folder in folders["running"] + mine)
        assert not set(folders["running"] + mine) & set(swept)
        assert orphan.wait(timeout=10) == -9  # killed with its grader's cgroups
    finally:
        for process in (killed, running, orphan):
            process.kill()
            process.wait()
        remove_cgroups([folder for group in folders.values() for folder in group if folder.exists()])
        remove_cgroups(mine)


def test_the_kernel_sees_the_corpus_path_as_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A relative ``CORPUSKIT_PATH`` root, or one reached through a symbolic link, names the folder the
    sandbox binds (absolute and resolved): the kernel runs in another working folder."""
    (tmp_path / "corpus").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "corpus")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CORPUSKIT_PATH", os.pathsep.join(["corpus", str(tmp_path / "link")]))
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    argv = sandbox_argv(run_dir, "user", Limits(), UID_BASE, python_paths(), [])
    seen = argv[argv.index("CORPUSKIT_PATH") + 1]
    assert seen == os.pathsep.join([str((tmp_path / "corpus").resolve())] * 2)
    assert ["--ro-bind", seen.split(os.pathsep)[0], seen.split(os.pathsep)[0]] == argv[
        argv.index(seen.split(os.pathsep)[0]) - 1 : argv.index(seen.split(os.pathsep)[0]) + 2
    ]


def test_a_python_reached_through_a_symbolic_link_runs_in_the_sandbox(sandbox_required: None, tmp_path: Path) -> None:
    """Only resolved folders are bound, so the interpreter is started by its resolved folder: a virtual
    environment under a linked folder (a home on another disk, say) would otherwise not exist inside."""
    link = tmp_path / "env"
    link.symlink_to(Path(sys.prefix).resolve())
    python = link / Path(sys.executable).relative_to(sys.prefix)
    code = "from corpuskit.course.sandbox import sandbox_python; print(sandbox_python())"
    done = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == str(Path(sys.prefix).resolve() / Path(sys.executable).relative_to(sys.prefix))
    script = (
        "import sys; from pathlib import Path; from corpuskit.course.sandbox import *\n"
        "run = Path(sys.argv[1]); write_stub(run, ())\n"
        "argv = sandbox_argv(run, probe().mode, Limits(), UID_BASE, python_paths(), [])\n"
        "import subprocess; subprocess.run([*argv, sandbox_python(), '-c', 'import corpuskit; print(1)'], check=True)\n"
    )
    run_dir = tmp_path / "run"
    run_dir.mkdir(mode=0o755)
    done = subprocess.run([python, "-c", script, str(run_dir)], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "1", done.stderr[-2000:]
