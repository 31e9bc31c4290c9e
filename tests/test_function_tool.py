"""function_tool: the declaration from a signature and docstring, in the form the API accepts; calling it."""

from __future__ import annotations

import datetime
import enum
import json
from collections.abc import Callable
from typing import Annotated, Any, Literal

import gemini_interactions
import gemini_interactions_async
import pydantic
import pytest
from gemini_interactions import FunctionTool, ToolDefinitionError, function_tool
from gemini_interactions._docstrings import parse_docstring
from gemini_interactions._tools import ToolArgumentsError, result_value


class Unit(enum.Enum):
    CELSIUS = "celsius"
    FAHRENHEIT = "fahrenheit"


class Address(pydantic.BaseModel):
    """A postal address."""

    street: str
    title: str | None = None  # a property called `title` is a name, not pydantic's title keyword


class Node(pydantic.BaseModel):
    value: int
    children: list[Node] = []


def _keys(node: Any) -> set[str]:
    """Every key used as a JSON Schema keyword anywhere (property names excluded)."""
    if isinstance(node, list):
        return {k for item in node for k in _keys(item)}
    if not isinstance(node, dict):
        return set()
    found = set()
    for key, value in node.items():
        found.add(key)
        if key == "properties":
            found |= {k for prop in value.values() for k in _keys(prop)}
        else:
            found |= _keys(value)
    return found


def test_schema_from_hints_required_and_defaults() -> None:
    def get_weather(
        city: str,
        unit: Literal["celsius", "fahrenheit"] = "celsius",
        scale: Unit | None = None,
        days: list[int] = [1],  # noqa: B006
        where: Address | None = None,
    ) -> str:
        return city

    tool = function_tool(get_weather)
    assert isinstance(tool, FunctionTool)
    declaration = tool.to_dict()
    assert declaration["type"] == "function" and declaration["name"] == "get_weather"
    params = declaration["parameters"]
    assert params["type"] == "object"
    assert params["required"] == ["city"]
    assert params["properties"]["unit"]["enum"] == ["celsius", "fahrenheit"]
    assert {"enum": ["celsius", "fahrenheit"], "type": "string"} in params["properties"]["scale"]["anyOf"]
    assert params["properties"]["days"] == {"default": [1], "items": {"type": "integer"}, "type": "array"}
    address = params["properties"]["where"]["anyOf"][0]
    assert address["properties"]["street"] == {"type": "string"}
    assert "title" in address["properties"], "a property named title is kept"
    assert "$ref" not in json.dumps(params) and "$defs" not in params, "references are inlined"
    assert "title" not in _keys(params), "no pydantic title noise"


def test_recursive_model_keeps_defs() -> None:
    def walk(tree: Node, depth: int = 3) -> int:
        return depth

    params = function_tool(walk).parameters
    assert params["properties"]["tree"] == {"$ref": "#/$defs/Node"}
    assert params["$defs"]["Node"]["properties"]["children"]["items"] == {"$ref": "#/$defs/Node"}
    assert "title" not in _keys(params)


def test_single_model_parameter_uses_the_models_schema_and_gets_an_instance() -> None:
    @function_tool
    def save(address: Address) -> str:
        return f"saved {address.street}"

    assert save.parameters["required"] == ["street"]
    assert save.description == "A postal address." or save.description is None
    args, kwargs = save.bind({"street": "Main St 1"})
    assert args == (Address(street="Main St 1"),) and kwargs == {}
    assert save(*args) == "saved Main St 1"


GOOGLE = """Look up the weather.

    Second paragraph of the description.

    Args:
        city: The city, e.g. Paris,
            continued on the next line.
        unit (str): Celsius or fahrenheit.

    Returns:
        The forecast.
    """

NUMPY = """Look up the weather.

    Second paragraph of the description.

    Parameters
    ----------
    city : str
        The city, e.g. Paris,
        continued on the next line.
    unit : str, optional
        Celsius or fahrenheit.

    Returns
    -------
    str
        The forecast.
    """

REST = """Look up the weather.

    Second paragraph of the description.

    :param city: The city, e.g. Paris,
        continued on the next line.
    :param str unit: Celsius or fahrenheit.
    :returns: The forecast.
    """


@pytest.mark.parametrize("doc", [GOOGLE, NUMPY, REST], ids=["google", "numpy", "rest"])
def test_docstring_styles(doc: str) -> None:
    parsed = parse_docstring(doc)
    assert parsed.description == "Look up the weather.\n\nSecond paragraph of the description."
    assert parsed.params == {
        "city": "The city, e.g. Paris, continued on the next line.",
        "unit": "Celsius or fahrenheit.",
    }

    def weather(city: str, unit: str = "celsius") -> str:
        return city

    weather.__doc__ = doc
    tool = function_tool(weather)
    assert tool.description == parsed.description
    assert tool.parameters["properties"]["city"]["description"] == parsed.params["city"]


def test_plain_docstring_is_all_description_and_field_description_wins() -> None:
    def count(n: Annotated[int, pydantic.Field(description="How many, from the hint.")]) -> int:
        """Count things.

        Args:
            n: From the docstring.
        """
        return n

    tool = function_tool(count)
    assert tool.parameters["properties"]["n"]["description"] == "How many, from the hint."
    assert parse_docstring("Just words,\nover two lines.").description == "Just words,\nover two lines."
    assert parse_docstring(None).description == ""


def test_decorator_with_name_and_description() -> None:
    @function_tool(name="lookup", description="Find it.")
    def find(query: str) -> str:
        """Ignored."""
        return query.upper()

    assert find.name == "lookup" and find.description == "Find it."
    assert find("abc") == "ABC", "the tool is still callable like the function"


@pytest.mark.parametrize("package", [gemini_interactions, gemini_interactions_async], ids=["sync", "async"])
def test_hint_without_json_schema_fails_at_definition(package: Any) -> None:
    def bad(callback: Callable[[int], int]) -> None: ...

    with pytest.raises(package.ToolDefinitionError, match=r"tool 'bad'.*JSON Schema"):
        package.function_tool(bad)

    class Opaque:
        pass

    def opaque(thing: Opaque) -> None: ...

    with pytest.raises(package.ToolDefinitionError, match="tool 'opaque'"):
        package.function_tool(opaque)

    def star(*values: int) -> None: ...

    with pytest.raises(ToolDefinitionError if package is gemini_interactions else package.ToolDefinitionError):
        package.function_tool(star)
    assert issubclass(package.ToolDefinitionError, TypeError)


def test_async_function_is_marked_async() -> None:
    async def fetch(url: str) -> str:
        return url

    tool = gemini_interactions_async.function_tool(fetch)
    assert tool.is_async and not gemini_interactions_async.function_tool(lambda_free).is_async


def lambda_free(x: int) -> int:
    return x


def test_bind_validates_and_reports_briefly() -> None:
    def add(a: int, b: int = 2) -> int:
        return a + b

    tool = function_tool(add)
    assert tool.bind({"a": 1}) == ((), {"a": 1, "b": 2})
    with pytest.raises(ToolArgumentsError, match=r"invalid arguments for add: a: .*integer"):
        tool.bind({"a": "not a number"})
    with pytest.raises(ToolArgumentsError, match="a: Field required"):
        tool.bind({})


def test_result_value_forms() -> None:
    assert result_value("text") == "text"
    assert result_value({"when": datetime.date(2026, 1, 2)}) == {"when": "2026-01-02"}
    assert result_value(Address(street="x")) == {"street": "x"}
    assert result_value(21) == {"result": 21}
    assert result_value([1, 2]) == {"result": [1, 2]}
    assert result_value(None) == {"result": None}
    content = [{"type": "text", "text": "a"}, gemini_interactions.types.TextContent(text="b")]
    assert result_value(content) == [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]
