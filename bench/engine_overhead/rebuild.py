"""Rebuilds `SuiteResults` from the JSON `run_all.py --json` wrote, so a report can be re-rendered
(`run_all.py --from-json FILE`) after a change to the report code, without measuring again."""
from __future__ import annotations

import dataclasses
import types
import typing
from pathlib import Path
from typing import Any


def rebuild(cls: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(cls)
    if origin in (typing.Union, types.UnionType):
        options = [option for option in typing.get_args(cls) if option is not type(None)]
        return rebuild(options[0], data)
    if origin is list:
        (item,) = typing.get_args(cls)
        return [rebuild(item, value) for value in data]
    if origin is dict or cls in (dict, typing.Any):
        return data
    if dataclasses.is_dataclass(cls):
        hints = typing.get_type_hints(cls)
        return cls(**{f.name: rebuild(hints[f.name], data[f.name]) for f in dataclasses.fields(cls) if f.name in data})
    if cls is Path:
        return Path(data)
    return data
