"""Reading YAML and JSON files that come from outside: hostile until validated.

Guards, each with its own error code:

* size: files over ``MAX_FILE_BYTES`` are refused before parsing (``file_too_large``);
* YAML: only the safe subset (no Python object tags, ``unsafe_tag``); anchors and
  aliases are refused outright, which removes "billion laughs" alias bombs
  (``yaml_alias``); duplicate mapping keys are an error, not a silent overwrite
  (``duplicate_key``);
* nesting deeper than ``MAX_DEPTH`` is refused (``too_deep``) in YAML and JSON;
* JSON: duplicate keys refused; NaN/Infinity literals refused (``bad_json``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from ._codes import Code
from ._exceptions import FileLoadError

__all__ = [
    "MAX_FILE_BYTES",
    "check_size",
    "dump_text",
    "format_of",
    "parse_text",
    "read_data_file",
    "write_data_file",
]

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 40


class _GuardedLoader(yaml.SafeLoader):
    """SafeLoader without aliases, without duplicate keys, with a depth bound."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise _Refused(
                Code.YAML_ALIAS,
                f"YAML anchors/aliases are not allowed (alias at line {event.start_mark.line + 1})",
            )
        event = self.peek_event()  # type: ignore[no-untyped-call]
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise _Refused(
                Code.YAML_ALIAS,
                f"YAML anchors/aliases are not allowed (anchor &{anchor} at line "
                f"{event.start_mark.line + 1})",
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(
                    Code.TOO_DEEP,
                    f"nesting deeper than {MAX_DEPTH} levels (at line {event.start_mark.line + 1})",
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode):
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    raise _Refused(
                        Code.DUPLICATE_KEY,
                        f"duplicate key {key!r} at line {key_node.start_mark.line + 1}",
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


# Dates stay strings: pydantic parses them where a date is expected, and a
# round trip through YAML then gives back the same text.
_GuardedLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _check_depth(value: Any, limit: int = MAX_DEPTH) -> None:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            raise _Refused(Code.TOO_DEEP, f"nesting deeper than {limit} levels")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Refused(Code.DUPLICATE_KEY, f"duplicate key {key!r}")
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise _Refused(Code.BAD_JSON, f"{name} is not valid JSON")


def parse_text(text: str, *, fmt: str, source: str = "<string>") -> Any:
    """Parse YAML or JSON text with every guard on; raise :class:`FileLoadError`."""
    if len(text.encode("utf-8", errors="replace")) > MAX_FILE_BYTES:
        raise FileLoadError(source, Code.FILE_TOO_LARGE, f"larger than {MAX_FILE_BYTES} bytes")
    try:
        if fmt == "json":
            # Bound nesting before json's own recursion can blow the stack.
            _precheck_json_depth(text)
            data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
        else:
            loader = _GuardedLoader(text)
            try:
                data = loader.get_single_data()
            finally:
                loader.dispose()
        _check_depth(data)
    except _Refused as exc:
        raise FileLoadError(source, exc.code, exc.message) from None
    except yaml.constructor.ConstructorError as exc:
        raise FileLoadError(
            source, Code.UNSAFE_TAG, f"YAML tag not allowed (only plain data is): {exc.problem}"
        ) from None
    except yaml.YAMLError as exc:
        raise FileLoadError(source, Code.BAD_YAML, f"not valid YAML: {exc}") from None
    except json.JSONDecodeError as exc:
        raise FileLoadError(source, Code.BAD_JSON, f"not valid JSON: {exc}") from None
    except RecursionError:
        raise FileLoadError(source, Code.TOO_DEEP, "nesting too deep") from None
    return data


def _precheck_json_depth(text: str) -> None:
    depth = 0
    in_string = False
    escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise _Refused(Code.TOO_DEEP, f"nesting deeper than {MAX_DEPTH} levels")
        elif char in "]}":
            depth -= 1


def format_of(path: str | os.PathLike[str]) -> str:
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    raise FileLoadError(
        str(path),
        Code.BAD_EXTENSION,
        f"expected a .yaml, .yml or .json file, got {suffix or 'no extension'!r}",
    )


def check_size(path: Path, limit: int) -> int:
    """The file's size in bytes; :class:`FileLoadError` if it is missing, unreadable or over ``limit``."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise FileLoadError(str(path), Code.FILE_NOT_FOUND, "no such file") from None
    except OSError as exc:
        raise FileLoadError(str(path), Code.FILE_UNREADABLE, str(exc)) from None
    if size > limit:
        raise FileLoadError(str(path), Code.FILE_TOO_LARGE, f"{size} bytes, more than {limit}")
    return size


def read_data_file(path: str | os.PathLike[str]) -> Any:
    """Read a YAML or JSON file (chosen by extension) with every guard on."""
    p = Path(path)
    fmt = format_of(p)
    check_size(p, MAX_FILE_BYTES)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise FileLoadError(str(p), Code.BAD_ENCODING, f"not UTF-8 text: {exc.reason}") from None
    except OSError as exc:
        raise FileLoadError(str(p), Code.FILE_UNREADABLE, str(exc)) from None
    return parse_text(text, fmt=fmt, source=str(p))


def dump_text(data: Any, *, fmt: str) -> str:
    """Serialise plain data as YAML (block style, Unicode kept) or JSON."""
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def write_data_file(path: str | os.PathLike[str], data: Any) -> None:
    Path(path).write_text(dump_text(data, fmt=format_of(path)), encoding="utf-8")
