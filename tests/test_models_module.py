"""The models module rendered from a tiny spec, imported and used: definitions in dependency order
evaluate at class definition; a recursive type keeps its annotations for pydantic to resolve."""

from __future__ import annotations

import copy
import importlib
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from codegen.ir import Api
from codegen.models import model_classes
from codegen.render import _environment

from .test_ir_builders import TINY, build, ref

pytestmark = pytest.mark.generator  # renders with the generator's tools (datamodel-code-generator, jinja2)

RUNTIME = Path(__file__).resolve().parent.parent / "codegen" / "runtime"


@pytest.fixture
def render(tmp_path: Path) -> Iterator[Any]:
    names: list[str] = []

    def render_models(api: Api) -> tuple[ModuleType, str]:
        package = tmp_path / f"tiny{len(names)}"
        (package / "types").mkdir(parents=True)
        shutil.copy(RUNTIME / "_models_base.py", package)
        (package / "__init__.py").write_text("")
        (package / "types" / "__init__.py").write_text("")
        text = _environment().get_template("shared/types/_models.py.j2").render(api=api, classes=model_classes(api))
        (package / "types" / "_models.py").write_text(text)
        names.append(package.name)
        return importlib.import_module(f"{package.name}.types._models"), text

    sys.path.insert(0, str(tmp_path))
    yield render_models
    sys.path.remove(str(tmp_path))
    for name in [m for m in sys.modules if m.split(".")[0] in names]:
        del sys.modules[name]


def test_definitions_in_dependency_order_evaluate_as_they_are_defined(render: Any) -> None:
    models, text = render(build(TINY))
    assert "from __future__ import annotations" not in text
    # Every annotation is an object already, none a name to look up when the schema is built.
    for name in ("CreateCat", "CreateDog", "Pet", "PetAdopted", "Ball"):
        assert all(not isinstance(f.annotation, str) for f in getattr(models, name).model_fields.values())
    pet = models.Pet.model_validate(
        {"id": "p1", "mood": "sleepy", "toys": [{"type": "ball", "color": "red"}, {"type": "kite"}]}
    )
    assert type(pet.toys[0]).__name__ == "Ball"
    assert (type(pet.toys[1]).__name__, pet.toys[1].type) == ("UnknownToy", "kite")
    assert pet.mood == "sleepy"  # an open enum


def test_a_recursive_model_is_resolved_when_first_used(render: Any) -> None:
    document = copy.deepcopy(TINY)
    pet = document["components"]["schemas"]["Pet"]
    pet["properties"]["friends"] = {"type": "array", "items": ref("Pet")}
    models, text = render(build(document))
    assert "from __future__ import annotations" in text
    pet = models.Pet.model_validate({"id": "a", "friends": [{"id": "b", "friends": [{"id": "c"}]}]})
    assert pet.friends[0].friends[0].id == "c"
