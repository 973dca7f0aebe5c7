"""No views.py, api.py or serializers.py under linli/ writes to the database itself: screens and
endpoints validate input and call an action or a lifecycle's move (actions.py, workflow.py,
procedures.py, meetings.py …), which runs in a transaction and writes the audit record
(docs/architecture.md, "Layers"). Checked on the source's syntax tree: a call of .save(),
.delete(), .create(), .get_or_create(), .update_or_create(), .bulk_*() anywhere, and .update()
on a queryset (a chain through .objects, .filter(), .exclude(), .all(), .restrict()).

Not caught: many-to-many .set()/.add()/.remove() (indistinguishable from Python's sets without
types) and a queryset kept in a variable before .update() — review catches those."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]
WRITES = {"save", "delete", "create", "get_or_create", "update_or_create"}
QUERYSET = {"objects", "filter", "exclude", "all", "restrict", "select_for_update"}

# Honest exceptions, each with its reason. Remove a line when its write moves into an action.
EXCEPTIONS: set[tuple[str, str, str]] = set()  # none left: notify.mark_read, ledger.tasks.submit_import


def _receiver(node) -> list[str]:
    """The names along the chain a method is called on: `A.objects.filter(x).update` → A, objects, filter."""
    names = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        else:
            if isinstance(node, ast.Name):
                names.append(node.id)
            return list(reversed(names))


def writes(source: str) -> list[tuple[int, str, str]]:
    """(line, method, receiver) of each database write called in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method, receiver = node.func.attr, _receiver(node.func.value)
        if receiver[:1] == ["super"]:  # a parent view's method of the same name, not a model's
            continue
        if method in WRITES or method.startswith("bulk_") or (method == "update" and QUERYSET & set(receiver)):
            found.append((node.lineno, method, ".".join(receiver)))
    return found


def test_the_check_finds_each_kind_of_write():
    source = """
obj.save(update_fields=["a"])
Case.objects.create(x=1)
Case.objects.filter(pk=1).update(x=2)
Case.objects.restrict(user).delete()
Ballot.objects.bulk_create([])
Consent.objects.update_or_create(a=1)
form.save()
context.update({"a": 1})
super().create(request)
"""
    assert [(m, r) for _line, m, r in writes(source)] == [
        ("save", "obj"),
        ("create", "Case.objects"),
        ("update", "Case.objects.filter"),
        ("delete", "Case.objects.restrict"),
        ("bulk_create", "Ballot.objects"),
        ("update_or_create", "Consent.objects"),
        ("save", "form"),
    ]


def test_no_view_api_or_serializer_module_writes_to_the_database():
    offending, used = [], set()
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name not in ("views.py", "api.py", "serializers.py") or "tests" in path.parts:
            continue
        name = path.relative_to(PACKAGE).as_posix()
        for line, method, receiver in writes(path.read_text()):
            if (name, method, receiver) in EXCEPTIONS:
                used.add((name, method, receiver))
            else:
                offending.append(f"{name}:{line}: .{method}() on {receiver}")
    assert offending == [], "write through an action (or add an honest exception with its reason):\n" + "\n".join(
        offending
    )
    assert used == EXCEPTIONS, f"exceptions no longer needed: {EXCEPTIONS - used}"
