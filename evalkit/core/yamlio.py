"""Reading YAML input files (park files, catalogs, factor tables), hostile ones included.

Every input file comes through `read_yaml`, which answers anything it cannot read safely with
an `InputError` naming the file, never a traceback or a MemoryError:

- a path that is missing, a folder, larger than `MAX_BYTES`, binary, or not UTF-8 (a GB18030/GBK
  file of a Chinese Windows editor is refused with its encoding named and how to re-save it);
- nesting deeper than `MAX_DEPTH` and alias expansion beyond `MAX_NODES` ("billion laughs"),
  both refused while the document is composed, before anything is built from it;
- a key given twice in one mapping (YAML would silently keep the last; in a park file this is
  typically a year entered twice), each named by its path in the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from evalkit.core.problems import InputError, Problems

MAX_BYTES = 5_000_000   # the default catalog is 41 kB, a park file 12 kB
MAX_DEPTH = 40          # the deepest legitimate input nests 7 levels
MAX_NODES = 500_000     # values after expanding aliases; a catalog has ~5,000
MERGE_TAG = "tag:yaml.org,2002:merge"


class _LimitExceeded(yaml.YAMLError):
    def __init__(self, what: str, node_mark: Any):
        super().__init__(what)
        self.what, self.problem_mark = what, node_mark


try:
    from yaml._yaml import CParser  # libyaml, when PyYAML was built with it
except ImportError:
    CParser = None

if CParser is not None:
    class _SafeBase(Composer, CParser, SafeConstructor, Resolver):
        """SafeLoader with libyaml's parser (five times faster on the catalog) under PyYAML's own
        Python composer, so that the limits of `_GuardedLoader.compose_node` still apply
        (yaml.CSafeLoader composes in C and would bypass them)."""

        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
else:
    _SafeBase = yaml.SafeLoader


class _GuardedLoader(_SafeBase):
    """SafeLoader that refuses deep nesting and alias bombs while composing."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0
        self._sizes: dict[int, int] = {}

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        if self.check_event(AliasEvent):
            mark = self.peek_event().start_mark
            node = Composer.compose_node(self, parent, index)
            if id(node) not in self._sizes:  # an alias inside its own anchor: an endless structure
                raise _LimitExceeded("no alias (*name) inside the value it names", mark)
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _LimitExceeded(f"nesting at most {MAX_DEPTH} levels deep", self.peek_event().start_mark)
        node = Composer.compose_node(self, parent, index)
        self._depth -= 1
        if isinstance(node, SequenceNode):
            children = node.value
        elif isinstance(node, MappingNode):
            children = [part for pair in node.value for part in pair]
        else:
            children = []
        size = 1 + sum(self._sizes.get(id(child), 1) for child in children)
        if size > MAX_NODES:
            raise _LimitExceeded(f"at most {MAX_NODES:,} values once aliases (*name) are expanded",
                                 node.start_mark)
        self._sizes[id(node)] = size
        return node


def read_yaml(path: Path) -> Any:
    """The parsed YAML file at `path`; InputError for anything that is not a safe, readable file."""
    path = Path(path)
    problems = Problems()
    text = _read_text(path, problems)
    if text is None:
        raise InputError(problems.items)
    return parse_yaml(text, str(path))


def parse_yaml(text: str, file: str) -> Any:
    """YAML text read like a file by `read_yaml` (same limits), e.g. a YAML cell of a workbook;
    problems name `file`."""
    problems = Problems()
    loader = _GuardedLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _find_duplicates(node, [], problems, file, set())
            problems.raise_if_errors()
            return loader.construct_document(node)
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        what = getattr(exc, "what", None) or getattr(exc, "problem", None) or str(exc)
        if isinstance(exc, _LimitExceeded):
            expected = what
        elif "nesting depth" in str(what):  # PyYAML ≥ 6.0.4 stops deep nesting in its parser already
            expected = f"nesting at most {MAX_DEPTH} levels deep"
        else:
            expected = f"valid YAML ({what})"
        problems.add(file, where, None, expected)
    except (ValueError, OverflowError) as exc:  # e.g. a date like 2021-13-45 that YAML reads as a timestamp
        problems.add(file, "(file)", None, f"valid YAML values ({exc})")
    finally:
        loader.dispose()
    raise InputError(problems.items)


def _read_text(path: Path, problems: Problems) -> str | None:
    file = str(path)
    if not path.exists():
        problems.add(file, "(file)", None, "an existing file")
        return None
    if not path.is_file():
        problems.add(file, "(file)", None, "a YAML file, not a folder or device")
        return None
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            problems.add(file, "(file)", f"{size:,} bytes", f"a YAML file of at most {MAX_BYTES:,} bytes")
            return None
        data = path.read_bytes()
    except OSError as exc:
        problems.add(file, "(file)", None, f"a readable file ({exc.strerror or exc})")
        return None
    if b"\x00" in data:
        problems.add(file, "(file)", None, "a YAML text file (UTF-8); this is a binary file")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        problems.add(file, "(file)", None,
                     f"a YAML text file in UTF-8; byte {utf8_error.start} is not UTF-8 and the file is "
                     "not GB18030/GBK either (a binary or damaged file?)")
    else:
        problems.add(file, "(file)", None,
                     "UTF-8 text; this file is encoded in GB18030/GBK (中文 Windows 编码): save it as "
                     "UTF-8 (e.g. 记事本 → 另存为 → 编码 UTF-8) and run again / 请将文件另存为 UTF-8 编码")
    return None


def _find_duplicates(node: Node, path: list[str], problems: Problems, file: str, seen: set[int]) -> None:
    """Report every key written twice in one mapping, by its path; aliased nodes are visited once."""
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, SequenceNode):
        for n, child in enumerate(node.value):
            _find_duplicates(child, [*path, str(n)], problems, file, seen)
    elif isinstance(node, MappingNode):
        keys: dict[str, Node] = {}
        for key, value in node.value:
            if key.tag == MERGE_TAG:
                continue  # `<<: *defaults`: explicit keys override merged ones by design
            name = str(key.value).strip() if isinstance(key, ScalarNode) else f"(line {key.start_mark.line + 1})"
            if name in keys:
                field = ".".join([*path, name])
                year = int(name) if name.isdigit() and 1900 <= int(name) <= 2200 else None
                problems.add(file, field, key.value,
                             f"each key once in a mapping: also on line {keys[name].start_mark.line + 1}, "
                             f"repeated on line {key.start_mark.line + 1} (YAML would silently keep the last)",
                             year=year)
            else:
                keys[name] = key
            _find_duplicates(value, [*path, name], problems, file, seen)
