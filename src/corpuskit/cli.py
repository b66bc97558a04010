"""The ``corpuskit`` command: argument parsing and printing over the library.

Exit status: 0 success; 1 the input is invalid or a document cannot be found or read (one
line on stderr says why); 2 the command line is wrong (argparse's usage error).
Heavy libraries (spaCy, pandas, nbformat) are imported only inside the commands that need
them, so ``corpuskit load`` starts fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

from corpuskit import __version__, corpus
from corpuskit.errors import CorpuskitError, InputError, ValidationError
from corpuskit.fileio import write_text_atomic
from corpuskit.formats import registry

TYPE_CHECKING = False  # typing stays unimported on the `corpuskit load` path
if TYPE_CHECKING:
    from corpuskit.course.sandbox import Limits
    from corpuskit.model import Document

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2

Handler = Callable[[argparse.Namespace], int]


def _cmd_list(args: argparse.Namespace) -> int:
    folders = corpus.document_folders()
    width = max((len(f.name) for f in folders), default=0)
    for folder in folders:
        metadata = corpus.read_validated(folder)["metadata"]
        title = metadata.get("title", folder.name)
        line = f"{folder.name:<{width}}  {metadata.get('creation_time', '----------')}  {title}"
        print(f"{line}  ({folder})" if args.paths else line)
    return EXIT_OK


def _cmd_load(args: argparse.Namespace) -> int:
    data = corpus.read_validated(args.document, annotations=args.annotations)
    if args.format not in ("summary", "json") or (args.format == "json" and args.layers is not None):
        from corpuskit.model import Document

        return _write_format(args.format, args.output, [Document.from_dict(data)], args.layers)
    if args.format == "summary":
        from corpuskit.model import Document
        from corpuskit.stats import format_summary

        output = format_summary(Document.from_dict(data)) + "\n"
    else:
        # The validated object is already canonical: building dataclasses only to turn them
        # back into the same JSON would double the command's start-up time. The layout is the
        # JSON writer's (formats.native.dumps), so `load` and `convert` write the same bytes.
        output = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    write_text_atomic(args.output, output)
    return EXIT_OK


def _write_format(fmt: str, output: str, docs: list[Document], layers: str | None) -> int:
    chosen = None if layers is None else [name.strip() for name in layers.split(",")]
    registry.write(fmt, output, docs, chosen)
    return EXIT_OK


def _cmd_convert(args: argparse.Namespace) -> int:
    source = args.source_format or registry.guess(args.input)
    target = args.target_format or registry.guess(args.output)
    for what, name, flag in (("input", source, "--from"), ("output", target, "--to")):
        if name is None:
            raise InputError(
                args.input if what == "input" else args.output,
                f"cannot tell the {what} format from the name; give {flag} FORMAT",
            )
    text = corpus.read_text(Path(args.text)) if args.text else None
    docs = registry.read(str(source), args.input, text)
    return _write_format(str(target), args.output, docs, args.layers)


def _cmd_import(args: argparse.Namespace) -> int:
    from corpuskit.importing import import_annotations, import_corpus

    layers = [layer.strip() for layer in args.layers.split(",")] if args.layers else None
    folder = Path(args.document)
    if folder.is_dir() and not (folder / corpus.TEXT_FILE).is_file():
        results = import_corpus(folder, args.source, args.source_format, layers)
    else:
        results = [import_annotations(args.document, args.source, args.source_format, layers)]
    for done in results:
        indent = ""
        if len(results) > 1:
            print(f"{done.document.id}:")
            indent = "  "
        if done.unchanged:
            print(f"{indent}unchanged: {done.unchanged}")
            continue
        for layer, before, after in done.changes:
            print(f"{indent}{layer:<10} {before:>4} -> {after:<4} items")
        for what, count in done.kept:
            print(f"{indent}kept {count} {what} from the document (the export cannot carry them)")
        print(f"{indent}wrote {done.path}")
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    path = Path(args.path)
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    if path.is_dir() and not (path / corpus.TEXT_FILE).is_file():
        raise InputError(str(path), f"no {corpus.TEXT_FILE} in this folder")
    if not files:
        raise InputError(str(path), "no annotation (.json) files in this folder")
    failed = 0
    for file in files:
        try:
            _validate_file(file)
        except ValidationError as err:
            failed += 1
            for problem in err.problems:
                print(f"{file}: {problem}")
        except InputError as err:
            failed += 1
            print(err)
        else:
            if not args.quiet:
                print(f"{file}: ok")
    if failed:
        print(f"{failed} of {len(files)} file(s) invalid", file=sys.stderr)
    return EXIT_INVALID if failed else EXIT_OK


def _validate_file(file: Path) -> None:
    """Validate one annotations file against the text beside it, saying first what it is not."""
    if not file.exists():
        raise InputError(str(file), "no such file or folder")
    data = corpus.read_json(file)  # names the line and column of what is not JSON
    if not isinstance(data, dict) or not {"id", "metadata"} & data.keys():
        found = type(data).__name__ if not isinstance(data, dict) else "an object without 'id' or 'metadata'"
        raise InputError(str(file), f"is JSON but not a corpuskit annotations file (found {found})")
    text = file.parent / corpus.TEXT_FILE
    if not text.is_file():
        raise InputError(str(file), f"has no {corpus.TEXT_FILE} beside it to check its offsets against")
    corpus.validated(data, corpus.read_text(text), str(file))


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from corpuskit.evaluate import evaluate_files, format_result, to_json

    if args.system is not None or args.pred is None:
        return _evaluate_system(args)
    import gc

    # Reading a corpus builds millions of objects and no reference cycles; the collector
    # would only scan them again and again, for a large share of the command's time.
    gc.disable()
    result = evaluate_files(args.gold, args.pred, args.layer)
    print(to_json(result) if args.json else format_result(result))
    return EXIT_OK


def _evaluate_system(args: argparse.Namespace) -> int:
    if args.system is None or args.pred is not None:
        print(
            "corpuskit evaluate: error: give GOLD PRED files, or --system NAME and one corpus document", file=sys.stderr
        )
        return EXIT_USAGE
    from corpuskit.extract.score import format_scores, score_system

    scores = score_system(args.system, [args.gold])
    print(json.dumps(scores.to_dict(), indent=2) if args.json else format_scores([scores], f"{args.gold}:"))
    return EXIT_OK


def _cmd_agree(args: argparse.Namespace) -> int:
    from corpuskit.evaluate.agreement import compare
    from corpuskit.evaluate.agreement_report import disagreements, format_agreement

    doc_a, doc_b = corpus.load(args.a), corpus.load(args.b)
    if doc_a.text != doc_b.text:
        raise InputError(args.b, f"annotates a different text than {args.a}")
    result = compare(doc_a, doc_b)
    print(format_agreement(result, markdown=args.markdown), end="")
    if args.disagreements:
        print()
        for item in disagreements(doc_a, doc_b, result):
            print(item.line())
    return EXIT_OK


def _cmd_extract(args: argparse.Namespace) -> int:
    from datetime import date

    from corpuskit.extract import extract

    if args.dct is not None:
        try:
            date.fromisoformat(args.dct)
        except ValueError:
            raise InputError("--dct", f"{args.dct!r} is not a date in the form YYYY-MM-DD") from None
    path = Path(args.text_file)
    doc = extract(corpus.read_text(path), dct=args.dct, system=args.system, doc_id=args.id)
    if args.format == "json":
        output = json.dumps(doc.to_dict(), indent=2, ensure_ascii=False) + "\n"
    else:
        from corpuskit.stats import format_summary

        output = format_summary(doc) + "\n"
    write_text_atomic(args.output, output)
    return EXIT_OK


def _cmd_new(args: argparse.Namespace) -> int:
    from corpuskit.scaffold import new_document

    folder = new_document(args.doc_id, args.text, args.dir, title=args.title, creation_time=args.dct)
    print(f"created {folder}")
    print(f"annotate it (brat: point a brat server at {folder / 'brat'}), then: corpuskit validate {folder}")
    print(f"to load it by id: export {corpus.PATH_VARIABLE}={folder.parent.resolve()}")
    return EXIT_OK


def _cmd_assign(args: argparse.Namespace) -> int:
    from corpuskit.course import assign

    root = Path(args.root)
    if args.document or args.out:
        if args.check or args.gradescope:
            why = "--document and --out build a course folder; leave out --check and --gradescope"
            raise InputError("--document", why)
        return _assign_course(args, root)
    if args.gradescope:
        from corpuskit.course.gradescope import build_autograder

        names = build_autograder(args.gradescope, root, args.lessons)
        print(f"wrote {args.gradescope}: Gradescope's autograder package ({len(names)} files)")
        return EXIT_OK
    if args.check:
        problems = assign.drift(root, args.lessons)
        for problem in problems:
            print(problem)
        if problems:
            print("exercises/ and solutions/ are out of date; run 'corpuskit assign'", file=sys.stderr)
        return EXIT_INVALID if problems else EXIT_OK
    changed = assign.write(root, args.lessons)
    for path in changed:
        print(f"wrote {path}")
    if not changed:
        print("exercises/ and solutions/ are up to date")
    return EXIT_OK


def _assign_course(args: argparse.Namespace, root: Path) -> int:
    from corpuskit.course import assign
    from corpuskit.course.key import DEFAULT_DOCUMENT

    document = args.document or DEFAULT_DOCUMENT
    out = Path(args.out or f"course-{document}")
    built = assign.course(root, out, document, args.lessons)
    for line in built.refused:
        print(f"corpuskit: {line}", file=sys.stderr)
    if not built.written:
        print(f"corpuskit: no lesson can be built on {document}", file=sys.stderr)
        return EXIT_INVALID
    lessons = len({p.name for p in built.written if p.parent.name == "solutions"})
    print(f"wrote {out}: {lessons} lesson(s) on {document} in exercises/, solutions/ and grading/")
    print(f"grade with: corpuskit grade {out}/solutions/LESSON.ipynb --grading {out}/grading")
    return EXIT_INVALID if args.lessons and built.refused else EXIT_OK


def _cmd_grade(args: argparse.Namespace) -> int:
    from corpuskit.course import Limits, grade
    from corpuskit.course.sandbox import SMALLEST_MEMORY_MB

    if args.memory < SMALLEST_MEMORY_MB:
        raise InputError("--memory", f"{args.memory} MB is too small: a lesson's kernel needs {SMALLEST_MEMORY_MB} MB")
    limits = Limits(
        cell_timeout=args.timeout,
        total_timeout=args.total_timeout,
        memory_mb=args.memory,
        processes=args.processes,
        disk_mb=args.disk,
    )
    if args.merge or (args.submission and Path(args.submission).is_dir()):
        if args.feedback != "full":
            raise InputError(args.submission or "-", "--feedback summary grades one submission at a time")
        if args.gradescope:
            raise InputError(args.gradescope, "--gradescope writes the results of one notebook, not of a folder")
        return _grade_class(args, limits)
    if not args.submission:
        raise InputError("-", "give a SUBMISSION notebook or folder, or --merge DIR...")
    report = grade(
        args.submission,
        lesson=args.lesson,
        grading_dir=args.grading,
        limits=limits,
        sandbox=args.sandbox,
        heldout_dir=args.heldout,
        release_dir=args.release,
        warm=not args.cold,
    ).with_feedback(args.feedback)
    if args.junit:
        write_text_atomic(args.junit, report.to_junit())
    if args.markdown:
        write_text_atomic(args.markdown, report.to_markdown())
    if args.classroom:
        from corpuskit.course.classroom import append_output

        append_output(args.classroom, report)
    if args.gradescope:
        from corpuskit.course.gradescope import write_results

        write_results(args.gradescope, report)
    for warning in report.warnings:
        print(f"corpuskit: warning: {warning}", file=sys.stderr)
    print(report.to_json() if args.json else report.summary(), end="")
    return EXIT_OK


def _grade_class(args: argparse.Namespace, limits: Limits) -> int:
    from corpuskit.course import Report, batch, shard

    out = Path(args.out)
    if args.merge:
        reports = batch.merge(args.merge, out)
    else:
        show = args.progress or sys.stderr.isatty()

        def progress(done: int, total: int, report: Report) -> None:
            if show:
                bar = "#" * (30 * done // total)
                name = Path(report.submission).name[:30]
                end = "\n" if done == total else ""
                print(
                    f"\r[{bar:<30}] {done}/{total} {name:<30} {report.score:g}/{report.max_score:g}",
                    end=end,
                    file=sys.stderr,
                    flush=True,
                )

        reports = batch.grade_class(
            args.submission,
            out,
            jobs=args.jobs,
            shard_of=shard.resolve(args.shard, os.environ),
            progress=progress,
            lesson=args.lesson,
            grading_dir=args.grading,
            limits=limits,
            sandbox=args.sandbox,
            heldout_dir=args.heldout,
            release_dir=args.release,
            warm=not args.cold,
        )
    warnings = sorted({w for r in reports for w in r.warnings})
    for warning in warnings:
        print(f"corpuskit: warning: {warning}", file=sys.stderr)
    print(
        f"graded {len(reports)} submission(s): reports in {out / batch.REPORTS}, summary in {out / 'summary.csv'}, "
        f"{out / 'summary.md'}, {out / 'histogram.png'}"
    )
    failed = [r.submission for r in reports if r.status == "not-graded"]
    for name in failed:
        print(f"corpuskit: error: {name}: not graded (see its report)", file=sys.stderr)
    return EXIT_INVALID if failed else EXIT_OK


# The class annotation sprint --------------------------------------------------------------------


def _sprint_document(args: argparse.Namespace) -> Document:
    from corpuskit.corpus import read_json

    if args.document is not None:
        return corpus.load(args.document)
    pool = read_json(Path(args.dir) / "pool.json")
    if not isinstance(pool, dict) or not isinstance(pool.get("document"), str):
        raise InputError(str(Path(args.dir) / "pool.json"), "is not a sprint pool (no 'document')")
    return corpus.load(pool["document"])


def _cmd_sprint_collect(args: argparse.Namespace) -> int:
    from corpuskit.annotate.model import passage_of
    from corpuskit.sprint.collect import collect_to

    doc = corpus.load(args.document)
    try:
        window = passage_of(doc, args.passage) if args.passage else (0, len(doc.text))
    except ValueError as err:
        raise InputError(args.document, str(err)) from None
    assert window is not None
    pool = collect_to(args.sources, doc, window, args.out, section=args.passage)
    print(f"pooled {len(pool.submissions)} student(s) into {Path(args.out) / 'pool.json'}")
    for problem in pool.problems:
        print(f"  {problem.line()}")
    print(f"the pseudonym key and mapping are in {Path(args.out) / 'instructor'}: keep that folder to yourself")
    return EXIT_OK


def _cmd_sprint_report(args: argparse.Namespace) -> int:
    from corpuskit.sprint.collect import read_pool
    from corpuskit.sprint.measure import measure
    from corpuskit.sprint.report import write_report

    doc = _sprint_document(args)
    pool = read_pool(args.dir, doc)
    result = measure(pool, doc if args.gold else None)
    for path in write_report(pool, result, args.out or args.dir):
        print(f"wrote {path}")
    return EXIT_OK


def _cmd_sprint_adjudicate(args: argparse.Namespace) -> int:
    from corpuskit.sprint.adjudicate import Adjudication
    from corpuskit.sprint.collect import read_pool
    from corpuskit.sprint.measure import measure
    from corpuskit.sprint.report import reading_text

    doc = _sprint_document(args)
    pool = read_pool(args.dir, doc)
    adjudication = Adjudication(pool, measure(pool))
    for choice in args.accept or ():
        site, _, reading = choice.partition("=")
        if not (site.isdigit() and reading.isdigit()):
            print(
                f"corpuskit sprint adjudicate: error: --accept {choice!r}: write SITE=READING, e.g. 1=2",
                file=sys.stderr,
            )
            return EXIT_USAGE
        chosen = adjudication.accept(int(site), int(reading))
        print(f"site {site}: accepted {reading_text(doc.text, chosen)}")
    left = adjudication.undecided
    if left:
        print(f"undecided (no majority, left out of the file): site(s) {', '.join(map(str, left))}")
    out = adjudication.save(args.out, doc)
    print(f"wrote {out}")
    if doc.entities:
        from corpuskit.sprint.measure import gold_spans, span_f1

        decided = [(e.start, e.end, e.label) for e in adjudication.to_document(doc).entities]
        reference = gold_spans(doc, pool.passage)
        agreed = len(set(decided) & set(reference))
        score = span_f1(reference, decided)
        counts = f"{agreed} of {len(reference)} gold spans, {len(decided)} decided"
        print(f"against the gold in the passage: {counts}, F1 {score:.3f}")
    return EXIT_OK


def _add_sprint(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    summary = "A class annotation sprint: pool the students' annotations, measure, report, adjudicate."
    sprint = commands.add_parser(
        "sprint",
        help=summary,
        description=summary + " Each step has its own --help.",
        formatter_class=_Formatter,
        epilog="examples:\n"
        "  corpuskit sprint collect submitted/*/lesson2.json --document hanoi-summit-2019 --passage S2 --out sprint\n"
        "  corpuskit sprint report sprint --gold\n"
        "  corpuskit sprint adjudicate sprint --accept 1=2 --out adjudicated.json",
    )
    steps = sprint.add_subparsers(title="steps", metavar="STEP", required=True)
    p = _add(
        steps,
        "collect",
        _cmd_sprint_collect,
        "Pool the students' entity annotations of one passage under stable pseudonyms.",
        "  corpuskit sprint collect submitted/*/lesson2.json --document hanoi-summit-2019 --passage S2 --out sprint\n"
        "  corpuskit sprint collect notebooks/*.ipynb export.json brat/ --document hanoi-summit-2019 "
        "--passage S2 --out sprint",
    )
    p.add_argument(
        "sources",
        nargs="+",
        help="widget saves (.json), lesson 2 notebooks (.ipynb), Label Studio exports (.json), brat files or folders",
    )
    p.add_argument("--document", required=True, help="the corpus document annotated (id or folder)")
    p.add_argument("--passage", metavar="SECTION", help="the section annotated, e.g. S2 (default: the whole text)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for pool.json and instructor/")
    p = _add(
        steps,
        "report",
        _cmd_sprint_report,
        "Write the class's agreement as report.md, pairwise-f1.png and scores.png.",
        "  corpuskit sprint report sprint\n  corpuskit sprint report sprint --gold --out slides",
    )
    p.add_argument("dir", help="the folder 'sprint collect' wrote")
    p.add_argument("--gold", action="store_true", help="also score each student and the majority against the gold")
    p.add_argument("--out", metavar="DIR", help="write the report here (default: DIR)")
    p.add_argument("--document", help="the corpus document (default: the one the pool names)")
    p = _add(
        steps,
        "adjudicate",
        _cmd_sprint_adjudicate,
        "Accept a reading per disputed site (numbered as in the report) and save the decisions.",
        "  corpuskit sprint adjudicate sprint --accept 1=2 --accept 3=1 --out adjudicated.json\n"
        "  (then: corpuskit evaluate hanoi-summit-2019 adjudicated.json)",
    )
    p.add_argument("dir", help="the folder 'sprint collect' wrote")
    p.add_argument(
        "--accept",
        action="append",
        metavar="SITE=READING",
        help="accept reading READING (1: most voted) of site SITE; sites with a majority start decided by it",
    )
    p.add_argument("--out", required=True, metavar="FILE", help="the adjudicated annotation (native JSON)")
    p.add_argument("--document", help="the corpus document (default: the one the pool names)")


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


def _add(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    handler: Handler,
    summary: str,
    examples: str,
) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        name,
        help=summary,
        description=summary,
        formatter_class=_Formatter,
        epilog="examples:\n" + examples,
    )
    parser.set_defaults(handler=handler)
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corpuskit",
        description="An annotated teaching corpus and course kit for information extraction.",
        formatter_class=_Formatter,
        epilog="exit status: 0 success, 1 invalid input or document not found, 2 usage error",
    )
    parser.add_argument("--version", action="version", version=f"corpuskit {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    p = _add(
        commands,
        "list",
        _cmd_list,
        "List the documents in the corpus path, one per line.",
        "  corpuskit list\n  corpuskit list --paths",
    )
    p.add_argument("--paths", action="store_true", help="also show each document's folder")

    p = _add(
        commands,
        "load",
        _cmd_load,
        "Show a document's summary or print its annotations.",
        "  corpuskit load hanoi-summit-2019\n"
        "  corpuskit load hanoi-summit-2019 --format json > hanoi.json\n"
        "  corpuskit load ./my-article --format json -o my-article.json\n"
        "  corpuskit load hanoi-summit-2019 --format brat -o brat/\n"
        "  corpuskit load hanoi-summit-2019 --format conll --layers entities -o hanoi.conll",
    )
    p.add_argument("document", help="document id (see 'corpuskit list') or a document folder")
    p.add_argument(
        "--format",
        "-f",
        choices=["summary", *registry.FORMATS],
        default="summary",
        help="summary (default): a readable overview; json: the contract object; "
        "the others: interchange formats (see docs/formats.md)",
    )
    p.add_argument(
        "--layers",
        metavar="L1,L2",
        help="only these layers (comma-separated); a format asked for a layer it cannot hold refuses",
    )
    p.add_argument("--output", "-o", default="-", metavar="PATH", help="write here (atomically) instead of stdout")
    p.add_argument(
        "--annotations",
        default=corpus.ANNOTATIONS_FILE,
        metavar="FILE",
        help="annotation file in the document folder (default: annotations.json)",
    )

    p = _add(
        commands,
        "convert",
        _cmd_convert,
        "Convert annotations between formats; the format follows from the file name unless given.",
        "  corpuskit convert hanoi.json brat/hanoi\n"
        "  corpuskit convert brat/hanoi.ann hanoi.spacy\n"
        "  corpuskit convert export.json gold.json --from labelstudio --text my-article/text.txt\n"
        "  corpuskit convert hanoi.conll hanoi.json --text corpus/hanoi-summit-2019/text.txt",
    )
    p.add_argument("input", help="file, path stem (brat, csv) or folder to read")
    p.add_argument("output", help="file, path stem or folder to write ('-' for stdout)")
    p.add_argument("--from", dest="source_format", choices=list(registry.FORMATS), help="input format")
    p.add_argument("--to", dest="target_format", choices=list(registry.FORMATS), help="output format")
    p.add_argument("--layers", metavar="L1,L2", help="only these layers (comma-separated)")
    p.add_argument(
        "--text",
        metavar="FILE",
        help="the article's text: exact offsets for CoNLL; checked against Label Studio and doccano",
    )

    p = _add(
        commands,
        "import",
        _cmd_import,
        "Put annotations made in another tool (Label Studio, brat, ...) into a corpus document.",
        "  corpuskit import my-article export.json --from labelstudio\n"
        "  corpuskit import my-article brat/my-article.ann\n"
        "  corpuskit import ./my-article export.json --from labelstudio --layers entities\n"
        "  corpuskit import ~/course-corpus export.json --from labelstudio",
    )
    p.add_argument(
        "document",
        help="document id (see 'corpuskit list'), a document folder, or a folder of them (each is matched by text)",
    )
    p.add_argument("source", help="the tool's export: a file, or a path stem for brat and csv")
    p.add_argument(
        "--from",
        dest="source_format",
        choices=list(registry.FORMATS),
        help="the export's format (default: from the file name)",
    )
    p.add_argument(
        "--layers", metavar="L1,L2", help="replace only these layers (default: every layer the format carries)"
    )

    p = _add(
        commands,
        "validate",
        _cmd_validate,
        "Check annotation files against the schema and their text; print every problem.",
        "  corpuskit validate corpus/hanoi-summit-2019\n  corpuskit validate my-article/annotations.json",
    )
    p.add_argument("path", help="a document folder (checks every .json in it) or one annotations file")
    p.add_argument("--quiet", "-q", action="store_true", help="print only problems")

    p = _add(
        commands,
        "new",
        _cmd_new,
        "Start a new document folder from a plain text file.",
        "  corpuskit new my-article --text article.txt --dct 2024-05-02\n"
        "  corpuskit new my-article --text article.txt --dir ~/course-corpus --title 'Budget vote'",
    )
    p.add_argument("doc_id", help="the new document's id (lower-case letters, digits, '.', '_', '-')")
    p.add_argument("--text", required=True, metavar="FILE", help="the article as UTF-8 text, LF line ends")
    p.add_argument("--dir", default=".", metavar="DIR", help="where to create the folder (default: here)")
    p.add_argument("--title", help="the title (default: the first line of the text)")
    p.add_argument("--dct", metavar="YYYY-MM-DD", help="document creation time, the anchor for time expressions")

    p = _add(
        commands,
        "evaluate",
        _cmd_evaluate,
        "Score predicted annotations against gold, one layer at a time.",
        "  corpuskit evaluate gold.json pred.json\n"
        "  corpuskit evaluate hanoi-summit-2019 predicted.json\n"
        "  corpuskit evaluate gold.jsonl pred.jsonl --layer quotes --json\n"
        "  corpuskit evaluate --system rules hanoi-summit-2019",
    )
    p.add_argument(
        "gold",
        help="gold documents: a corpus document id or folder, a .json document or a .jsonl of documents",
    )
    p.add_argument(
        "pred", nargs="?", help="predicted documents (a file, or a document id or folder), paired with gold by id"
    )
    p.add_argument(
        "--system",
        choices=["rules", "statistical"],
        help="run this baseline system on the document's text and score every layer",
    )
    p.add_argument(
        "--layer",
        "-l",
        default="entities",
        choices=["entities", "quotes", "events", "timexes", "coref"],
        help="layer to score (default: entities)",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print the result as JSON: per schema correct, incorrect, partial, "
        "missed, spurious, precision, recall, f1",
    )

    p = _add(
        commands,
        "agree",
        _cmd_agree,
        "Agreement between two annotations of one text, on every layer, with the counts behind each figure.",
        "  corpuskit agree corpus/hanoi-summit-2019/annotations.json corpus/hanoi-summit-2019/annotator_b.json\n"
        "  corpuskit agree gold.json mine.json --markdown\n"
        "  corpuskit agree gold.json mine.json --disagreements",
    )
    p.add_argument("a", metavar="A", help="annotator A: an annotations file, a document folder or id")
    p.add_argument("b", metavar="B", help="annotator B: another annotation of the same text")
    p.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    p.add_argument("--disagreements", action="store_true", help="then list every item the two treat differently")

    p = _add(
        commands,
        "extract",
        _cmd_extract,
        "Run a baseline extractor on a text file and print the predicted document.",
        "  corpuskit extract article.txt --dct 2019-02-28\n"
        "  corpuskit extract article.txt --dct 2019-02-28 --format json > predicted.json\n"
        "  corpuskit extract article.txt --system statistical --format json",
    )
    p.add_argument("text_file", metavar="TEXT_FILE", help="the article as UTF-8 text, LF line ends")
    p.add_argument(
        "--system",
        choices=["rules", "statistical"],
        default="rules",
        help="rules (default): no model needed; statistical: needs an English spaCy pipeline",
    )
    p.add_argument("--dct", metavar="YYYY-MM-DD", help="document creation time, the anchor for time expressions")
    p.add_argument(
        "--format",
        "-f",
        choices=["summary", "json"],
        default="summary",
        help="summary (default): a readable overview; json: the contract object",
    )
    p.add_argument("--id", default="prediction", help="the predicted document's id (default: prediction)")
    p.add_argument("--output", "-o", default="-", metavar="PATH", help="write here (atomically) instead of stdout")

    p = _add(
        commands,
        "assign",
        _cmd_assign,
        "Build exercises/ and solutions/ from the lessons in notebooks/ (or check they are up to date).",
        "  corpuskit assign\n  corpuskit assign --check\n  corpuskit assign 03-entities --root path/to/course\n"
        "  corpuskit assign 01-reading --gradescope autograder.zip   # Gradescope's autograder for one lesson\n"
        "  corpuskit assign --document my-article --out my-course   # the course on another corpus document",
    )
    p.add_argument("lessons", nargs="*", metavar="LESSON", help="lesson ids (default: every notebook in notebooks/)")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 if the committed copies differ")
    p.add_argument("--root", default=".", metavar="DIR", help="the course folder holding notebooks/ (default: here)")
    p.add_argument(
        "--gradescope",
        metavar="ZIP",
        help="write Gradescope's autograder package instead (setup.sh, run_autograder, grading, pinned requirements)",
    )
    p.add_argument(
        "--document",
        metavar="ID",
        help="build the course on this corpus document into --out (lessons needing what it lacks are refused)",
    )
    p.add_argument(
        "--out",
        metavar="DIR",
        help="where --document writes exercises/, solutions/ and grading/ (default: course-ID)",
    )

    p = _add(
        commands,
        "grade",
        _cmd_grade,
        "Run submitted notebooks in sandboxed kernels and grade their answers (exit 0 whatever the score).",
        "  corpuskit grade exercises/01-reading.ipynb\n"
        "  corpuskit grade alice.ipynb --lesson 03-entities --json > alice.json\n"
        '  corpuskit grade bob.ipynb --junit report.xml --markdown "$GITHUB_STEP_SUMMARY"\n'
        '  corpuskit grade 01-reading.ipynb --classroom "$GITHUB_OUTPUT"   # GitHub Classroom reporter\n'
        "  corpuskit grade submissions/ --lesson 01-reading --jobs 2 --out grades/\n"
        "  corpuskit grade submissions/ --shard 1/4 --out grades-1/   # one of four CI jobs\n"
        "  corpuskit grade submissions/ --shard auto --out shard-$SLURM_ARRAY_TASK_ID/  # a Slurm array task\n"
        "  corpuskit grade --merge grades-1/ grades-2/ grades-3/ grades-4/ --out grades/\n"
        "  corpuskit grade alice.ipynb --heldout /srv/heldout   # a private held-out set\n"
        "  corpuskit grade submission.ipynb --gradescope results/results.json   # in Gradescope's autograder",
    )
    p.add_argument("submission", nargs="?", help="the submitted .ipynb, or a folder of them (batch mode)")
    p.add_argument("--lesson", help="lesson id (default: from the notebook's metadata or file name)")
    p.add_argument("--json", action="store_true", help="print the report as JSON (score, max_score, questions)")
    p.add_argument("--junit", metavar="FILE", help="also write a JUnit XML report")
    p.add_argument("--markdown", metavar="FILE", help="also write a Markdown report (e.g. a CI step summary)")
    p.add_argument(
        "--classroom",
        metavar="FILE",
        help="append result=BASE64 for GitHub Classroom's reporter to FILE ($GITHUB_OUTPUT)",
    )
    p.add_argument(
        "--feedback",
        choices=["full", "summary"],
        default="full",
        help="full (default): feedback and events; summary: points per question only, for summative grading",
    )
    p.add_argument("--gradescope", metavar="FILE", help="also write Gradescope's results.json to FILE")
    p.add_argument("--grading", metavar="DIR", help="folder with lessons/ and heldout/ (default: ./grading)")
    p.add_argument("--heldout", metavar="DIR", help="a private held-out set, same format as grading/heldout/")
    p.add_argument("--release", metavar="DIR", help="released notebooks, to restore locked cells (default: exercises/)")
    p.add_argument("--timeout", type=float, default=120.0, metavar="S", help="time limit per cell (default: 120)")
    p.add_argument(
        "--total-timeout",
        type=float,
        default=1200.0,
        metavar="S",
        help="time limit for the whole run, answers and calls included (default: 1200)",
    )
    p.add_argument("--memory", type=int, default=4096, metavar="MB", help="kernel memory (default: 4096, at least 768)")
    p.add_argument(
        "--processes", type=int, default=256, metavar="N", help="processes and threads of the kernel (default: 256)"
    )
    p.add_argument(
        "--disk", type=int, default=512, metavar="MB", help="kernel's writable space, /tmp included (default: 512)"
    )
    p.add_argument(
        "--sandbox",
        choices=["auto", "on", "off"],
        default="auto",
        help="auto or on (default): the bubblewrap sandbox, or an error where it cannot run; "
        "off: no isolation, for trusted notebooks only",
    )
    p.add_argument("--jobs", "-j", type=int, default=1, metavar="N", help="batch: parallel workers (default: 1)")
    p.add_argument(
        "--shard",
        default="1/1",
        metavar="K/N",
        help="batch: grade only the K-th of N shards; auto: the shard a Slurm job array, "
        "a Kubernetes Indexed Job or a GitHub Actions matrix gives this job",
    )
    p.add_argument(
        "--out",
        default="grades",
        metavar="DIR",
        help="batch: for reports/, summary.csv, summary.md, histogram.png (default: grades)",
    )
    p.add_argument("--merge", nargs="+", metavar="DIR", help="merge the --out folders of shards into --out")
    p.add_argument("--progress", action="store_true", help="batch: show progress on stderr even when not a terminal")
    p.add_argument(
        "--cold",
        action="store_true",
        help="start every kernel from scratch instead of forking it from a warm parent",
    )
    _add_sprint(commands)
    return parser


DEBUG_VARIABLE = "CORPUSKIT_DEBUG"


def _internal_error(argv: Sequence[str], err: Exception) -> str:
    """One line for an exception no check foresaw: the command, the error, what to do."""
    command = " ".join(["corpuskit", *argv])[:160]
    what = f"{type(err).__name__}: {str(err)[:200]}".replace("\n", " ")
    return (
        f"internal error in '{command}': {what}; this is a bug in corpuskit, please report it "
        f"with the command and its input ({DEBUG_VARIABLE}=1 shows the traceback)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    error: str | None = None
    # Library warnings (a layer a format cannot carry, a label read as another) reach the user
    # as one line each, never as Python's two-line format, and also when the command then fails.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            code: int = args.handler(args)
        except CorpuskitError as err:
            code, error = EXIT_INVALID, str(err)
        except OSError as err:
            where = f"{err.filename}: " if err.filename else ""
            code, error = EXIT_INVALID, f"{where}{err.strerror or err}"
        except KeyboardInterrupt:
            code = 130
        except Exception as err:  # a bug: say so in one line, with what to report
            if os.environ.get(DEBUG_VARIABLE):
                raise
            code, error = EXIT_INVALID, _internal_error(argv, err)
    for warning in caught:
        print(f"corpuskit: warning: {warning.message}", file=sys.stderr)
    if error is not None:
        print(f"corpuskit: error: {error}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
