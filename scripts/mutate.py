"""make mutate: mutation testing (cosmic-ray) of the modules that decide rules, scope and privacy.

Each module is mutated in a copy of the source tree (var/mutate/tree; the working tree is never
touched, even when a run is interrupted) and only the tests that concern it run against each
mutant, on SQLite, with a test database kept between mutants. Prints the score per module and
writes every surviving mutant to var/mutate/<module>.txt; survivors listed as equivalent in
docs/testing.md are shown as such. How to read the result: docs/testing.md, "Mutation testing".

    MUTATE_MODULES=tally,procedures make mutate     # some modules only (names as in MODULES)
    MUTATE_JOBS=2 make mutate                       # two modules at a time, each in its own copy
    MUTATE_RESUME=1 make mutate                     # the last run's survivors and unfinished mutants only
"""

import ast
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var" / "mutate"

# module → (the functions mutated, None for all of the module; the tests that concern it)
MODULES = {
    "tally": ("linli/deliberation/tally.py", None, [
        "linli/deliberation/tests/test_tally.py", "linli/deliberation/tests/test_votes.py"]),
    "procedures": ("linli/deliberation/steps.py", ["result", "is_last", "next_step", "check_rule", "check_timing"], [
        "linli/deliberation/tests/test_procedures.py", "linli/deliberation/tests/test_api.py",
        "linli/deliberation/tests/test_topic_moves.py"]),
    "deliberation_workflow": ("linli/deliberation/workflow.py", None, [
        "linli/deliberation/tests/test_topic_moves.py", "linli/deliberation/tests/test_meeting_moves.py",
        "linli/deliberation/tests/test_procedures.py", "linli/deliberation/tests/test_meetings.py",
        "linli/deliberation/tests/test_outcome.py", "linli/deliberation/tests/test_votes.py"]),
    "votes": ("linli/deliberation/actions.py", ["electorate", "cast", "close_vote"], [
        "linli/deliberation/tests/test_votes.py", "linli/deliberation/tests/test_api.py",
        "linli/deliberation/tests/test_procedures.py::test_owner_vote_step_needs_a_closed_vote_that_passed"]),
    "workflow": ("linli/cases/workflow.py", None, [
        "linli/cases/tests/test_workflow.py", "linli/cases/tests/test_escalation.py", "linli/cases/tests/test_clock.py",
        "linli/cases/tests/test_merge.py", "linli/core/tests/test_lifecycle.py", "linli/core/tests/test_replay.py",
        "linli/cases/tests/test_community_handles.py"]),
    "lifecycle": ("linli/core/lifecycle.py", None, [
        "linli/core/tests/test_lifecycle.py", "linli/core/tests/test_replay.py", "linli/cases/tests/test_workflow.py",
        "linli/cases/tests/test_escalation.py", "linli/cases/tests/test_clock.py"]),
    "case_actions": ("linli/cases/actions.py", ["allowed", "transition", "merge", "comment"], [
        "linli/cases/tests/test_workflow.py", "linli/cases/tests/test_escalation.py", "linli/cases/tests/test_clock.py",
        "linli/cases/tests/test_merge.py", "linli/cases/tests/test_anonymity.py"]),
    "calendar": ("linli/cases/calendar.py", None, [
        "linli/cases/tests/test_calendar.py", "linli/cases/tests/test_workflow.py::test_deadlines_are_24_hours_and_5_working_days"]),
    "metrics": ("linli/cases/metrics.py", None, [
        "linli/cases/tests/test_metrics.py", "linli/cases/tests/test_clock.py", "linli/cases/tests/test_rollup.py"]),
    "rollup": ("linli/cases/rollup.py", None, ["linli/cases/tests/test_rollup.py"]),
    "overdue": ("linli/cases/overdue.py", None, ["linli/cases/tests/test_overdue.py", "linli/cases/tests/test_clock.py"]),
    "scope": ("linli/core/scope.py", None, [
        "linli/core/tests/test_scope.py", "linli/core/tests/test_scope_matrix.py",
        "linli/cases/tests/test_anonymity.py::test_a_whisper_is_the_reporters_alone_in_the_household"]),
    "masking": ("linli/core/masking.py", None, ["linli/core/tests/test_masking.py"]),
    "reveal": ("linli/people/actions.py", ["reveal_field"], [
        "linli/people/tests/test_people_views.py::test_reveal_is_audited_and_post_only",
        "linli/people/tests/test_people_views.py::test_reveal_denied_without_permission_or_scope",
        "linli/api/tests/test_api.py::test_reveal_returns_the_clear_value_and_audits_it",
        "linli/api/tests/test_api.py::test_reveal_of_another_field_is_a_400_without_audit"]),
    "reporter": ("linli/cases/reporter.py", None, ["linli/cases/tests/test_anonymity.py"]),
    "public_text": ("linli/core/public_text.py", None, [
        "linli/core/tests/test_public_text.py", "linli/deliberation/tests/test_public_text_checks.py"]),
    "ledger_words": ("linli/people/public_text.py", None, ["linli/deliberation/tests/test_public_text_checks.py"]),
    "privacy": ("linli/people/privacy.py", None, [
        "linli/people/tests/test_privacy.py",
        "linli/people/tests/test_people_views.py::test_sensitive_tags_hidden_from_roles_without_reveal",
        "linli/people/tests/test_people_views.py::test_sensitive_tags_hidden_in_api_for_building_head",
        "linli/ledger/tests/test_export.py::test_sensitive_tags_follow_the_reveal_scope_of_each_row"]),
    "search": ("linli/people/search.py", None, [
        "linli/people/tests/test_search.py", "linli/core/tests/test_scope_matrix.py::test_people_search_cannot_find_out_of_scope_person_by_id"]),
}

# Mutants a real slip looks like. Comparisons: the sufficient set of relational-operator mutants
# (Kaminski, Ammann & Offutt 2011: tests that kill `<` → `<=` and `<` → `!=` kill every other
# replacement of `<`); `==` ↔ `!=` only (they compare states and keys, not quantities). Arithmetic: `+` ↔ `-`, `*` ↔ `/`, `/` ↔ `//`; `|` ↔ `&`
# (Q objects). Every other operator of cosmic-ray's core set is kept: constants moved by one,
# negations added or dropped, `and` ↔ `or`, True ↔ False, decorators removed, loops that never
# run, exceptions not caught. Left out: arithmetic turned bitwise or into a power, string
# formatting (%) turned into arithmetic, `==` turned into `is` (noise that fails on the first
# line it reaches). See docs/testing.md.
COMPARISONS = {
    "Lt": {"LtE", "NotEq"}, "LtE": {"Lt", "Eq"}, "Gt": {"GtE", "NotEq"}, "GtE": {"Gt", "Eq"},
    "Eq": {"NotEq"}, "NotEq": {"Eq"}, "Is": {"IsNot"}, "IsNot": {"Is"},
}
ARITHMETIC = {"Add": {"Sub"}, "Sub": {"Add"}, "Mul": {"Div"}, "Div": {"Mul", "FloorDiv"}, "FloorDiv": {"Div"},
              "BitOr": {"BitAnd"}, "BitAnd": {"BitOr"}}


def wanted_operator(name: str) -> bool:
    op = name.rsplit("/", 1)[-1]
    if m := re.fullmatch(r"ReplaceBinaryOperator_([A-Za-z]+)_([A-Za-z]+)", op):
        return m.group(2) in ARITHMETIC.get(m.group(1), ())
    if m := re.fullmatch(r"ReplaceComparisonOperator_([A-Za-z]+)_([A-Za-z]+)", op):
        return m.group(2) in COMPARISONS.get(m.group(1), ())
    return True


def function_lines(path: Path, names) -> list[tuple[int, int]]:
    """Line ranges (decorators included) of the named top-level functions."""
    tree = ast.parse(path.read_text())
    found = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    missing = set(names) - set(found)
    if missing:
        sys.exit(f"scripts/mutate.py: {path.name} has no function {sorted(missing)}: update MODULES")
    return [(min([found[n].lineno] + [d.lineno for d in found[n].decorator_list]), found[n].end_lineno) for n in names]


def equivalents() -> dict[str, Counter]:
    """The survivors docs/testing.md judges equivalent: module → {(line before, line after): rows}.
    Each row excuses one survivor: a second `continue` → `break` in the same module, say, is not
    excused by the row written for the first."""
    known = {}
    doc = (ROOT / "docs" / "testing.md").read_text().split("### Equivalent mutants", 1)[-1]
    for m in re.finditer(r"^\| `(\w+)` \| `(.+?)` \| `(.+?)` \|", doc, re.M):
        known.setdefault(m.group(1), Counter())[(m.group(2).strip(), m.group(3).strip())] += 1
    return known


def changed_line(diff: str) -> tuple[str, str]:
    """The mutated line before and after; a removed line (a decorator) names what followed it."""
    lines = diff.splitlines()
    removed = [i for i, line in enumerate(lines) if line.startswith("-") and not line.startswith("---") and line[1:].strip()]
    added = [line[1:].strip() for line in lines if line.startswith("+") and not line.startswith("+++") and line[1:].strip()]
    before = lines[removed[0]][1:].strip() if removed else ""
    if added:
        after = added[0]
    else:
        following = [line[1:].strip() for line in lines[removed[-1] + 1:] if line[1:].strip()] if removed else []
        after = "(removed) " + (following[0] if following else "")
    return before.replace("|", "\\|"), after.replace("|", "\\|")


def copy_tree(tree: Path):
    """A copy of the sources to mutate. Its test database (beside it) is kept between the mutants'
    runs and between `make mutate`s: migrated once."""
    if tree.exists():
        shutil.rmtree(tree)
    tree.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "media")
    shutil.copytree(ROOT / "linli", tree / "linli", ignore=ignore)
    shutil.copytree(ROOT / "docs", tree / "docs")  # pages generated from declarations are tested
    for name in ("pyproject.toml", "manage.py"):
        shutil.copy(ROOT / name, tree / name)
    # the test database in a file, kept between the test runs of the mutants (migrated once)
    (tree / "conftest.py").write_text(
        "import pytest\n\n\n"
        "@pytest.fixture(scope='session')\n"
        "def django_db_modify_db_settings():\n"
        "    from django.db import connections\n\n"
        f"    connections['default'].settings_dict['TEST']['NAME'] = {str(tree.with_suffix('.sqlite3'))!r}\n"
    )


def pytest_command(tests) -> list[str]:
    return [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:xdist", "--reuse-db", *tests]


def run_module(name, module, functions, tests, known, tree) -> dict:
    env = os.environ | {"DEBUG": "1"}
    env.pop("DATABASE_URL", None)  # SQLite: the suite's embedded database
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.monotonic()
    clean = subprocess.run(pytest_command(tests), cwd=tree, env=env, capture_output=True, text=True)  # noqa: S603
    if clean.returncode != 0:
        print(clean.stdout[-3000:], clean.stderr[-3000:])
        sys.exit(f"{name}: the tests fail without any mutation")
    timeout = max(60, 4 * (time.monotonic() - started))
    # no bytecode of the mutated module, ever: a stale .pyc could run the unmutated code
    for pyc in (tree / module).parent.glob(f"__pycache__/{Path(module).stem}.*.pyc"):
        pyc.unlink()
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    cosmic_ray = str(Path(sys.executable).parent / "cosmic-ray")
    session = VAR / f"{name}.sqlite"
    config = VAR / f"{name}.toml"
    config.write_text(
        "[cosmic-ray]\n"
        f"module-path = {module!r}\n"  # relative to the tree the run happens in
        f"timeout = {timeout:.0f}\n"
        "excluded-modules = []\n"
        f"test-command = {' '.join(pytest_command(tests))!r}\n"
        "[cosmic-ray.distributor]\nname = 'local'\n"
    )
    if os.environ.get("MUTATE_RESUME") and session.exists():
        # the last run's survivors and the mutants it did not reach, against the tests as they are now
        with sqlite3.connect(session) as db:
            db.execute("DELETE FROM work_results WHERE test_outcome = 'SURVIVED'")
            db.execute("UPDATE mutation_specs SET module_path = ?", (module,))
    else:
        session.unlink(missing_ok=True)
        subprocess.run([cosmic_ray, "init", str(config), str(session)], cwd=tree, env=env, check=True)  # noqa: S603
    _skip_unwanted(session, tree / module, functions)
    subprocess.run([cosmic_ray, "exec", str(config), str(session)], cwd=tree, env=env, check=True,  # noqa: S603
                   stdout=subprocess.DEVNULL)
    return _report(name, module, session, known, time.monotonic() - started)


def _skip_unwanted(session, path, functions):
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    ranges = function_lines(path, functions) if functions else None
    signatures = signature_lines(path)
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item in list(db.work_items):
            mutation = item.mutations[0]
            line = mutation.start_pos[0]
            inside = ranges is None or any(a <= line <= b for a, b in ranges)
            # in a signature, the `*` that makes the following parameters keyword-only is not a
            # multiplication, and the `|` of an annotation (`str | None`) is a type union, not a Q
            # object: never evaluated under `from __future__ import annotations`
            signature = line in signatures and mutation.operator_name.endswith(
                ("ReplaceBinaryOperator_Mul_Div", "ReplaceBinaryOperator_BitOr_BitAnd"))
            if not inside or signature or not wanted_operator(mutation.operator_name):
                db.set_result(item.job_id, WorkResult(worker_outcome=WorkerOutcome.SKIPPED, output="not in the mutated set"))


def signature_lines(path: Path) -> set[int]:
    """The lines of every function signature in the module (from `def` to the body)."""
    tree = ast.parse(path.read_text())
    return {line for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            for line in range(node.lineno, node.body[0].lineno)}


def _report(name, module, session, known, seconds) -> dict:
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome

    counts = {"killed": 0, "survived": 0, "equivalent": 0, "other": 0, "timeouts": 0}
    lines = []
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item, result in db.completed_work_items:
            if result.worker_outcome == WorkerOutcome.SKIPPED:
                continue
            if result.worker_outcome != WorkerOutcome.NORMAL:
                counts["other"] += 1
                lines.append(f"# {result.worker_outcome}: {item.mutations[0].operator_name} line {item.mutations[0].start_pos[0]}\n{result.output}\n")
            elif result.test_outcome == TestOutcome.SURVIVED:
                before, after = changed_line(result.diff)
                excused = known.setdefault(name, Counter())
                equivalent = excused[(before, after)] > 0
                excused[(before, after)] -= equivalent
                counts["equivalent" if equivalent else "survived"] += 1
                lines.append(f"# {'equivalent' if equivalent else 'SURVIVED'}: {item.mutations[0].operator_name}\n"
                             f"| `{name}` | `{before}` | `{after}` |\n{result.diff}\n")
            else:
                counts["killed"] += 1
                if result.output == "timeout":
                    # cosmic-ray counts a test run past the timeout as a kill: right for a mutant that
                    # loops for ever, wrong for one slowed by a busy machine — listed to be judged
                    counts["timeouts"] += 1
                    lines.append(f"# killed by the timeout: {item.mutations[0].operator_name}\n{result.diff}\n")
    (VAR / f"{name}.txt").write_text("".join(lines))
    total = counts["killed"] + counts["survived"] + counts["equivalent"] + counts["other"]
    # the mutation score: killed over the mutants that can be killed (equivalent ones cannot)
    killable = total - counts["equivalent"]
    counts |= {"name": name, "module": module, "total": total, "seconds": seconds,
               "score": counts["killed"] / killable if killable else 1.0}
    return counts


def main():
    only = [m for m in os.environ.get("MUTATE_MODULES", "").replace(",", " ").split() if m]
    unknown = set(only) - set(MODULES)
    if unknown:
        sys.exit(f"MUTATE_MODULES: unknown {sorted(unknown)}; choose from {', '.join(MODULES)}")
    os.nice(15)  # two cores shared with everyone else: mutants run when nobody else needs them
    jobs = int(os.environ.get("MUTATE_JOBS") or 1)
    VAR.mkdir(parents=True, exist_ok=True)
    known = equivalents()
    queue = list(only or MODULES)
    trees = [VAR / f"tree{i}" for i in range(jobs)]
    for tree in trees:
        copy_tree(tree)

    def work(tree):
        done = []
        while queue:
            name = queue.pop(0)
            done.append(run_module(name, *MODULES[name], known, tree))
            print(f"{name}: {done[-1]['killed']}/{done[-1]['total']} killed", flush=True)
        return done

    with ThreadPoolExecutor(jobs) as pool:
        rows = [row for done in pool.map(work, trees) for row in done]
    rows.sort(key=lambda r: list(MODULES).index(r["name"]))
    print(f"\n{'module':<34} {'mutants':>7} {'killed':>6} {'timeout':>7} {'equiv.':>6} {'survived':>8} {'score':>6} {'time':>6}")
    for r in rows:
        print(f"{r['module']:<34} {r['total']:>7} {r['killed']:>6} {r['timeouts']:>7} {r['equivalent']:>6} {r['survived'] + r['other']:>8} "
              f"{r['score']:>6.1%} {r['seconds'] / 60:>5.1f}m")
    print("(timeout: of the killed, those killed by the timeout; see var/mutate/<module>.txt)")
    failed = [r["name"] for r in rows if r["survived"] or r["other"]]
    if failed:
        print(f"\nSurviving mutants not known as equivalent: see var/mutate/<module>.txt for {', '.join(failed)}")
    below = [r["name"] for r in rows if r["score"] < 0.9]
    if below:
        sys.exit(f"Below 90 % killed: {', '.join(below)}")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
