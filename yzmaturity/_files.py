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
import math
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from ._codes import Code
from ._exceptions import FileLoadError
from ._fs import open_regular, read_bounded, write_text

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
MAX_NODES = 200_000  # values (scalars, lists, mappings) in one YAML or JSON document
MAX_DIGITS = 400  # an integer longer than this is no questionnaire weight nor answer
_MAX_BITS = math.ceil(MAX_DIGITS * math.log2(10))


try:  # libyaml, the C parser: 30-100 times faster than PyYAML's pure-Python one
    from yaml.cyaml import CParser as _PARSER  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _PARSER = yaml.BaseLoader  # type: ignore[misc,assignment]

_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = {_TAG + name for name in ("str", "int", "float", "bool", "null")}


class _Resolver(yaml.resolver.Resolver):
    """YAML 1.1 implicit types, but dates stay strings: pydantic parses them where a date is
    expected, and a round trip through YAML then gives back the same text."""


_Resolver.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TAG + "timestamp"]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
_RESOLVER = _Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_SCALARS = {
    _TAG + "int": _CONSTRUCTOR.construct_yaml_int,
    _TAG + "float": _CONSTRUCTOR.construct_yaml_float,
    _TAG + "bool": _CONSTRUCTOR.construct_yaml_bool,
    _TAG + "null": _CONSTRUCTOR.construct_yaml_null,
}


def _line(event: Any) -> int:
    return int(event.start_mark.line) + 1


def _scalar(event: Any) -> Any:
    tag = event.tag
    if tag is None or tag == "!":
        if not event.implicit[0]:  # quoted: a string
            return event.value
        tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, (True, False))  # type: ignore[no-untyped-call]
    if tag == _TAG + "merge":
        raise _Refused(Code.YAML_ALIAS, f"YAML merge keys (<<) are not allowed (line {_line(event)})")
    if tag not in _PLAIN_TAGS:
        raise _Refused(
            Code.UNSAFE_TAG, f"YAML tag not allowed (only plain data is): {tag} (line {_line(event)})"
        )
    if tag == _TAG + "str":
        return event.value
    return _SCALARS[tag](yaml.ScalarNode(tag, event.value))


def _load_yaml(text: str) -> Any:
    """Build plain data from the YAML event stream (libyaml's C parser when present), guarded.

    One pass over the events, so every guard acts before anything big is built:
    aliases and anchors (``yaml_alias``), tags other than plain data
    (``unsafe_tag``), nesting deeper than ``MAX_DEPTH`` (``too_deep``), more than
    ``MAX_NODES`` values (``too_many_nodes``), duplicate keys (``duplicate_key``).
    """
    parser = _PARSER(text)
    # Each open collection: [container, is_mapping, pending key, key is pending].
    stack: list[list[Any]] = []
    root: Any = None
    nodes = 0
    documents = 0
    try:
        while True:
            event = parser.get_event()
            if event is None or isinstance(event, yaml.StreamEndEvent):
                return root
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise _Refused(Code.BAD_YAML, f"more than one YAML document (line {_line(event)})")
                continue
            if isinstance(event, yaml.AliasEvent):
                raise _Refused(
                    Code.YAML_ALIAS, f"YAML anchors/aliases are not allowed (alias at line {_line(event)})"
                )
            if isinstance(event, yaml.CollectionEndEvent):
                done = stack.pop()[0]
                if not stack:
                    root = done
                else:
                    _add(stack[-1], done, event)
                continue
            if not isinstance(event, yaml.NodeEvent):
                continue
            if event.anchor is not None:
                raise _Refused(
                    Code.YAML_ALIAS,
                    f"YAML anchors/aliases are not allowed (anchor &{event.anchor} at line {_line(event)})",
                )
            nodes += 1
            if nodes > MAX_NODES:
                raise _Refused(Code.TOO_MANY_NODES, f"more than {MAX_NODES} values (at line {_line(event)})")
            if isinstance(event, yaml.ScalarEvent):
                value = _scalar(event)
                if not stack:
                    root = value
                else:
                    _add(stack[-1], value, event)
                continue
            tag = getattr(event, "tag", None)
            is_map = isinstance(event, yaml.MappingStartEvent)
            if tag not in (None, "!", _TAG + ("map" if is_map else "seq")):
                raise _Refused(Code.UNSAFE_TAG, f"YAML tag not allowed (only plain data is): {tag}")
            if stack and stack[-1][1] and not stack[-1][3]:
                raise _Refused(Code.BAD_YAML, f"a mapping key must be a plain value (line {_line(event)})")
            if len(stack) >= MAX_DEPTH:
                raise _Refused(
                    Code.TOO_DEEP, f"nesting deeper than {MAX_DEPTH} levels (at line {_line(event)})"
                )
            stack.append([{} if is_map else [], is_map, None, False])
    finally:
        parser.dispose()


def _add(frame: list[Any], value: Any, event: Any) -> None:
    container, is_map, key, has_key = frame
    if not is_map:
        container.append(value)
    elif not has_key:
        if isinstance(value, dict | list):
            raise _Refused(Code.BAD_YAML, f"a mapping key must be a plain value (line {_line(event)})")
        if value in container:
            raise _Refused(Code.DUPLICATE_KEY, f"duplicate key {value!r} at line {_line(event)}")
        frame[2], frame[3] = value, True
    else:
        container[key] = value
        frame[2], frame[3] = None, False


class _Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _check_depth(value: Any, limit: int = MAX_DEPTH) -> None:
    """Refuse nesting deeper than ``limit``, more than ``MAX_NODES`` values, or a huge integer."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    nodes = 0
    while stack:
        item, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            raise _Refused(Code.TOO_MANY_NODES, f"more than {MAX_NODES} values")
        if depth > limit:
            raise _Refused(Code.TOO_DEEP, f"nesting deeper than {limit} levels")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
        elif isinstance(item, int) and not isinstance(item, bool) and item.bit_length() > _MAX_BITS:
            raise _Refused(Code.NUMBER_TOO_LARGE, f"an integer of more than {MAX_DIGITS} digits")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Refused("duplicate_key", f"duplicate key {key!r}")
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise _Refused("bad_json", f"{name} is not valid JSON")


def parse_text(text: str, *, fmt: str, source: str = "<string>") -> Any:
    """Parse YAML or JSON text with every guard on; raise :class:`FileLoadError`."""
    if len(text.encode("utf-8", errors="replace")) > MAX_FILE_BYTES:
        raise FileLoadError(source, Code.FILE_TOO_LARGE, f"larger than {MAX_FILE_BYTES} bytes")
    try:
        if fmt == "json":
            # Bound nesting before json's own recursion can blow the stack.
            _precheck_json_depth(text)
            data = json.loads(
                text,
                object_pairs_hook=_no_duplicates,
                parse_constant=_reject_constant,
                parse_int=_json_int,
            )
        else:
            data = _load_yaml(text)
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
    except (ValueError, OverflowError) as exc:  # int() of a number with thousands of digits
        raise FileLoadError(source, Code.NUMBER_TOO_LARGE, f"a number is too large: {exc}") from None
    return data


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _precheck_json_depth(text: str) -> None:
    """Refuse more than ``MAX_NODES`` values or nesting deeper than ``MAX_DEPTH`` before parsing,
    at C speed (strings removed first)."""
    skeleton = _JSON_STRING.sub("", text)
    opened = skeleton.count("[") + skeleton.count("{")
    if opened > MAX_DEPTH:
        codes = np.frombuffer(skeleton.encode("utf-8", errors="replace"), dtype=np.uint8)
        steps = np.zeros(codes.shape, dtype=np.int32)
        steps[(codes == ord("[")) | (codes == ord("{"))] = 1
        steps[(codes == ord("]")) | (codes == ord("}"))] = -1
        if int(np.cumsum(steps).max(initial=0)) > MAX_DEPTH:
            raise _Refused(Code.TOO_DEEP, f"nesting deeper than {MAX_DEPTH} levels")
    # Every value but the first of a container follows a comma: commas + containers bound the values.
    if skeleton.count(",") + opened > MAX_NODES:
        raise _Refused(Code.TOO_MANY_NODES, f"more than {MAX_NODES} values")


def _json_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise _Refused(Code.NUMBER_TOO_LARGE, f"an integer of {len(digits)} digits (at most {MAX_DIGITS})")
    return int(digits)


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
    """The size in bytes of the regular file ``path``; :class:`FileLoadError` if it is missing,
    not a regular file (a FIFO, a device, a folder), unreadable or over ``limit``.

    A cheap first look for readers that stream; they still count the bytes they read.
    """
    with open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
    if size > limit:
        raise FileLoadError(str(path), Code.FILE_TOO_LARGE, f"{size} bytes, more than {limit}")
    return size


def read_data_file(path: str | os.PathLike[str]) -> Any:
    """Read a YAML or JSON file (chosen by extension) with every guard on.

    Only a regular file is read (a FIFO or a device is refused before any
    byte), and at most :data:`MAX_FILE_BYTES` bytes of it.
    """
    p = Path(path)
    fmt = format_of(p)
    data = read_bounded(p, MAX_FILE_BYTES)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileLoadError(str(p), Code.BAD_ENCODING, f"not UTF-8 text: {exc.reason}") from None
    return parse_text(text.removeprefix("\ufeff"), fmt=fmt, source=str(p))


def dump_text(data: Any, *, fmt: str) -> str:
    """Serialise plain data as YAML (block style, Unicode kept) or JSON."""
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def write_data_file(path: str | os.PathLike[str], data: Any) -> None:
    """Write plain data as YAML or JSON (by extension), atomically: the old file stays whole on error."""
    write_text(path, dump_text(data, fmt=format_of(path)))
