"""YAML loading that remembers the line of every key and list item.

PyYAML's composer gives each node its position; we walk the node tree once and keep a map
from data paths (("duties", 3, "deadline", "due")) to 1-based line numbers, so a
validation error deep in a plan can point at its line. Duplicate keys, which PyYAML
would silently overwrite, are refused.
"""

from collections.abc import Sequence
from typing import Any

import yaml

Path = tuple[str | int, ...]


class LineMap:
    """Lines of the paths in one YAML document."""

    def __init__(self, lines: dict[Path, int], *, prefix: Path = ()) -> None:
        self._lines = lines
        self._prefix = prefix

    def under(self, prefix: Path) -> "LineMap":
        """The same map, seen from inside `prefix` (for validating a sub-document)."""
        return LineMap(self._lines, prefix=self._prefix + prefix)

    def line_of(self, path: Path) -> int | None:
        """The line of `path`, or of its nearest ancestor that has one."""
        full = self._prefix + path
        while full:
            if full in self._lines:
                return self._lines[full]
            full = full[:-1]
        return self._lines.get((), None)

    @staticmethod
    def data_path(data: Any, loc: Sequence[str | int]) -> Path:
        """Drop the parts of a pydantic error location that are not in the data (union tags)."""
        path: list[str | int] = []
        node = data
        for part in loc:
            if isinstance(node, dict) and part in node:
                node = node[part]
                path.append(part)
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
                path.append(part)
            elif isinstance(node, dict) and isinstance(part, str) and not path_has_tag(part):
                path.append(part)  # a missing field: name it, its parent gives the line
                node = None
        return tuple(path)

    @staticmethod
    def render(path: Path) -> str:
        """duties[3].deadline.due"""
        out = ""
        for part in path:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
        return out


def path_has_tag(part: str) -> bool:
    """Pydantic names union members in locations (e.g. 'date', 'function-after[...]')."""
    return part in {"date", "recurring", "adhoc", "open", "none"} or "[" in part


def _walk(node: yaml.Node, path: Path, lines: dict[Path, int], seen_nodes: set[int]) -> None:
    # An alias makes one node appear twice; plan files have no use for them, and refusing
    # them stops "billion laughs" documents from expanding.
    if id(node) in seen_nodes:
        raise ValueError(
            lines.get(path, node.start_mark.line + 1),
            LineMap.render(path) or "(gốc tệp)",
            "dùng anchor/alias (&, *) — tệp kế hoạch không hỗ trợ",
        )
    seen_nodes.add(id(node))
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise ValueError(
                    key_node.start_mark.line + 1,
                    LineMap.render(path) or "(gốc tệp)",
                    "khóa không phải là chuỗi",
                )
            key = key_node.value
            if key in seen:
                raise ValueError(
                    key_node.start_mark.line + 1,
                    LineMap.render((*path, key)),
                    f"khóa {key!r} lặp lại",
                )
            seen.add(key)
            lines[(*path, key)] = key_node.start_mark.line + 1
            _walk(value_node, (*path, key), lines, seen_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            _walk(item, (*path, index), lines, seen_nodes)


class _PlanLoader(yaml.SafeLoader):
    """The safe loader, except that an impossible date (2023-02-30) stays a string, so the
    schema reports it with its field and line instead of the parser failing without one."""

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:
        try:
            return super().construct_yaml_timestamp(node)  # type: ignore[arg-type]
        except ValueError:
            return self.construct_scalar(node)  # type: ignore[arg-type]


_PlanLoader.add_constructor("tag:yaml.org,2002:timestamp", _PlanLoader.construct_yaml_timestamp)


def load_yaml_with_lines(text: str) -> tuple[Any, LineMap]:
    """Parse one YAML document with the safe loader; return the data and its line map."""
    loader = _PlanLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, LineMap({})
        lines: dict[Path, int] = {}
        _walk(node, (), lines, set())
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    return data, LineMap(lines)
