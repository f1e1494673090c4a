"""STYLE.md: public service and selector functions are typed, so a reader sees what goes in and
out without opening the body. A scan of every app's services.py and selectors.py."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_public_service_and_selector_function_is_typed():
    untyped = []
    for path in sorted([*ROOT.glob("*/services.py"), *ROOT.glob("*/selectors.py")]):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            arguments = [a for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)]
            missing = [a.arg for a in arguments if a.annotation is None]
            if missing or node.returns is None:
                untyped.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} {missing or ''}")
    assert untyped == []
