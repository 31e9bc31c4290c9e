"""The intermediate model built from a tiny spec: a spec in, the expected nodes out."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from codegen import release
from codegen.ir import Api, Field, OpenUnion, Variant, build_api
from codegen.ir.types import STR, OpenEnum, Ref, list_of
from codegen.loader import LoadedSpec, SpecError, load_spec


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def tagged(tag: str, required: list[str], **properties: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "description": f"The {tag} kind.",
        "required": ["type", *required],
        "properties": {"type": {"type": "string", "const": tag}, **properties},
    }


API_VERSION = {"name": "api_version", "in": "path", "required": True, "schema": {"type": "string", "default": "v9"}}
PET_ID = {"name": "pet_id", "in": "path", "required": True, "schema": {"type": "string"}, "description": "Which pet."}

TINY: dict[str, Any] = {
    "openapi": "3.1.0",
    "x-api-revision": "2030-01-02",
    "info": {"title": "Pet API", "version": "1"},
    "servers": [{"url": "https://pets.example/"}],
    "paths": {
        "/{api_version}/pets": {
            "post": {
                "operationId": "createPet",
                "x-sdk-resource": "pets",
                "x-sdk-method": "create",
                "x-sdk-stream": True,
                "summary": "Adopt a pet.",
                "parameters": [API_VERSION],
                "requestBody": {"content": {"application/json": {"schema": ref("CreatePet")}}},
                "responses": {
                    "200": {
                        "content": {
                            "application/json": {"schema": ref("Pet")},
                            "text/event-stream": {"schema": ref("PetEvent")},
                        }
                    }
                },
            }
        },
        "/{api_version}/pets/{pet_id}": {
            "get": {
                "operationId": "getPet",
                "x-sdk-resource": "pets",
                "x-sdk-method": "get",
                "parameters": [
                    API_VERSION,
                    PET_ID,
                    {"name": "view", "in": "query", "schema": {"type": "string", "enum": ["basic", "full"]}},
                    {"name": "last-seen", "in": "query", "schema": {"type": "integer"}},
                ],
                "responses": {"200": {"content": {"application/json": {"schema": ref("Pet")}}}},
            },
            "delete": {
                "operationId": "deletePet",
                "x-sdk-resource": "pets",
                "x-sdk-method": "delete",
                "parameters": [API_VERSION, PET_ID],
                "responses": {"200": {}},
            },
        },
    },
    "components": {
        "schemas": {
            "CreatePet": {"oneOf": [ref("CreateCat"), ref("CreateDog")]},
            "CreateCat": {
                "type": "object",
                "required": ["name", "lives"],
                "properties": {
                    "name": {"type": "string", "description": "Its  name."},
                    "lives": {"type": "integer"},
                    "toys": {"type": "array", "items": ref("Toy")},
                    "stream": {"type": "boolean"},
                    "id": {"type": "string", "readOnly": True},
                },
            },
            "CreateDog": {
                "type": "object",
                "required": ["name", "breed"],
                "properties": {
                    "name": {"type": "string"},
                    "breed": {"type": "string"},
                    "mood": ref("Mood"),
                    "stream": {"type": "boolean"},
                },
            },
            "Pet": {
                "type": "object",
                "description": "A pet.",
                "required": ["id"],
                "properties": {
                    "id": {"type": "string", "readOnly": True},
                    "mood": ref("Mood"),
                    "toys": {"type": "array", "items": ref("Toy")},
                    "size": {"type": "string", "enum": ["s", "m", "l"], "deprecated": True},
                },
            },
            "Toy": {
                "description": "Something to play with.",
                "oneOf": [ref("Ball"), ref("Rope")],
                "discriminator": {
                    "propertyName": "type",
                    "mapping": {"ball": "#/components/schemas/Ball", "rope": "#/components/schemas/Rope"},
                },
            },
            "Ball": tagged("ball", ["color"], color={"type": "string"}, bounces={"type": "boolean"}),
            "Rope": tagged("rope", [], length={"type": "number"}),
            "PetEvent": {
                "oneOf": [ref("PetAdopted")],
                "discriminator": {
                    "propertyName": "event_type",
                    "mapping": {"pet.adopted": "#/components/schemas/PetAdopted"},
                },
            },
            "PetAdopted": {
                "type": "object",
                "required": ["event_type"],
                "properties": {"event_type": {"type": "string", "const": "pet.adopted"}, "pet": ref("Pet")},
            },
            "Mood": {"type": "string", "description": "How it feels.", "enum": ["happy", "grumpy"]},
            "Moods": {"type": "array", "items": ref("Mood")},
        }
    },
}


def build(document: dict[str, Any]) -> Api:
    return build_api(LoadedSpec(revision=document["x-api-revision"], path=Path("tiny.yaml"), document=document))


@pytest.fixture(scope="module")
def api() -> Api:
    return build(TINY)


def test_the_api_names_its_server_and_version(api: Api) -> None:
    assert (api.title, api.revision, api.base_url, api.api_version) == (
        "Pet API",
        "2030-01-02",
        "https://pets.example",
        "v9",
    )
    assert release.package_version(api.revision) == "2030.1.2.0"  # not in release.SDK_RELEASES: release 0
    assert api.event_union == "PetEvent"


def test_object_schemas_with_properties_become_models_with_typed_fields(api: Api) -> None:
    assert api.model_names == ("CreateCat", "CreateDog", "Pet", "Ball", "Rope", "PetAdopted")
    pet = next(m for m in api.models if m.name == "Pet")
    assert pet.description == "A pet."
    assert pet.fields == (
        Field(name="id", type=STR, required=True, read_only=True),
        Field(name="mood", type=Ref("Mood"), required=False, refs=frozenset({"Mood"})),
        Field(name="toys", type=list_of(Ref("Toy")), required=False, refs=frozenset({"Toy"})),
        Field(name="size", type=OpenEnum(("s", "m", "l")), required=False, deprecated=True),
    )
    assert pet.base is None


def test_discriminated_schemas_become_open_unions_with_their_variants_shapes(api: Api) -> None:
    toy = next(u for u in api.unions if u.name == "Toy")
    assert toy == OpenUnion(
        name="Toy",
        discriminator="type",
        variants=(
            Variant(tag="ball", model="Ball", fields=("color", "bounces"), required=("color",)),
            Variant(tag="rope", model="Rope", fields=("length",), required=()),
        ),
        description="Something to play with.",
    )
    assert toy.unknown_model == "UnknownToy"
    assert toy.defines == ("UnknownToy", "Toy")
    assert toy.shapes == (
        "{'ball': (frozenset(['bounces', 'color']), frozenset(['color'])),"
        " 'rope': (frozenset(['length']), frozenset([]))}"
    )


def test_other_named_schemas_become_aliases_ordered_after_what_they_name(api: Api) -> None:
    aliases = {a.name: a for a in api.aliases}
    assert list(aliases) == ["CreatePet", "Mood", "Moods"]
    assert aliases["CreatePet"].expression == "CreateCat | CreateDog"
    assert aliases["CreatePet"].depends_on == {"CreateCat", "CreateDog"}  # its value is evaluated when defined
    assert aliases["Mood"].expression == "Literal['happy', 'grumpy'] | str"
    assert aliases["Mood"].docstring == "How it feels."
    assert aliases["Moods"].depends_on == {"Mood"}
    assert api.definition_names == ("UnknownToy", "Toy", "UnknownPetEvent", "PetEvent", "CreatePet", "Mood", "Moods")


def test_the_models_module_defines_everything_after_what_it_names(api: Api) -> None:
    # Models first in spec order, each preceded by what it names, so every annotation can be
    # evaluated as its class is defined.
    assert [d.name for d in api.definitions_in_order()] == [
        "Ball", "Rope", "Toy", "CreateCat", "Mood", "CreateDog", "Pet", "PetAdopted", "PetEvent", "CreatePet", "Moods",
    ]  # fmt: skip
    assert not api.annotations_deferred


def with_schemas(**schemas: Any) -> dict[str, Any]:
    document = copy.deepcopy(TINY)
    document["components"]["schemas"].update(schemas)
    return document


def test_a_recursive_model_leaves_the_models_annotations_unevaluated() -> None:
    pet = copy.deepcopy(TINY["components"]["schemas"]["Pet"])
    pet["properties"]["friends"] = {"type": "array", "items": ref("Pet")}
    api = build(with_schemas(Pet=pet))
    assert api.annotations_deferred
    assert [d.name for d in api.definitions_in_order()].count("Pet") == 1


def test_a_model_and_a_union_that_name_each_other_are_recursive() -> None:
    ball = tagged("ball", ["color"], color={"type": "string"}, inside=ref("Toy"))
    assert build(with_schemas(Ball=ball)).annotations_deferred


def test_aliases_that_name_each_other_are_an_error() -> None:
    document = with_schemas(
        Moods={"type": "array", "items": ref("Feelings")}, Feelings={"type": "array", "items": ref("Moods")}
    )
    with pytest.raises(SpecError, match="cycle: (Moods -> Feelings -> Moods|Feelings -> Moods -> Feelings)"):
        build(document).definitions_in_order()


def test_request_bodies_get_typed_dicts_for_what_they_can_hold(api: Api) -> None:
    assert api.param_names == ["BallParam", "RopeParam", "ToyParam"]
    ball = api.param_dicts[0]
    assert [f.declaration for f in ball.fields] == [
        "type: Required[Literal['ball']]",
        "color: Required[str]",
        "bounces: bool",
    ]
    assert api.param_unions[0].expression == "BallParam | RopeParam"
    assert api.param_enum_imports == []


def test_operations_take_path_query_and_body_arguments(api: Api) -> None:
    (pets,) = api.resources
    assert (pets.name, pets.class_name) == ("pets", "Pets")
    create, get, delete = pets.operations
    assert (get.http_method, get.path, get.path_expression) == (
        "GET",
        "/pets/{pet_id}",
        "f\"/pets/{path_segment(pet_id, 'pet_id')}\"",
    )
    assert [p.signature for p in get.positional_params] == ["pet_id: str"]
    assert [p.signature for p in get.keyword_params] == [
        "view: Literal['basic', 'full'] | str | None = None",
        "last_seen: int | None = None",
    ]
    assert get.query_params[1].wire_name == "last-seen"
    assert get.docstring == "GET /pets/{pet_id}\n\nArgs:\n    pet_id: Which pet."
    assert (delete.response_type, delete.has_body, delete.can_stream) == ("dict[str, Any]", False, False)
    assert create.summary == "Adopt a pet."


def test_a_body_of_several_shapes_becomes_keywords_selected_by_their_own_required_argument(api: Api) -> None:
    create = api.resources[0].operations[0]
    assert create.body_model == "CreatePet"
    assert [(v.selector, v.model) for v in create.body_variants] == [("lives", "CreateCat"), ("breed", "CreateDog")]
    assert [p.signature for p in create.keyword_params] == [
        "name: str",  # required by every shape
        "lives: int | None = None",
        "toys: Sequence[ToyParam | Toy] | None = None",
        "breed: str | None = None",
        "mood: Mood | None = None",
    ]
    assert create.body_params[0].description == "Its name."
    assert create.body_check_arguments == (
        "{'name': ('name', 'str'), 'lives': ('lives', 'int'), 'toys': ('toys', 'list[Toy]'),"
        " 'breed': ('breed', 'str'), 'mood': ('mood', 'Mood (a string)')}"
    )
    assert create.body_check_variants == "{'lives': CreateCat, 'breed': CreateDog}"


def test_a_streaming_operation_pops_its_stream_switch(api: Api) -> None:
    create = api.resources[0].operations[0]
    assert create.stream_param is not None and create.stream_param.location == "body"
    assert create.stream_event == "PetEvent"
    assert create.return_annotation("Stream") == "Pet | Stream[PetEvent]"
    assert create.stream_body_item == '"stream": stream or None'
    assert create.stream_query_item == ""
    assert "stream" not in [p.wire_name for p in create.body_params]


def test_a_resource_imports_exactly_the_types_its_signatures_name(api: Api) -> None:
    assert api.resources[0].type_imports == ["CreateCat", "CreateDog", "Mood", "Pet", "PetEvent", "Toy", "ToyParam"]


def test_the_type_reference_lists_each_variant_with_its_fields(api: Api) -> None:
    toy = next(s for s in api.reference if s.union == "Toy")
    assert [(r.tag, r.model, r.fields, r.description) for r in toy.rows] == [
        ("ball", "Ball", "`color`: str, `bounces`?: bool", "The ball kind."),
        ("rope", "Rope", "`length`?: float", "The rope kind."),
    ]


def test_the_reference_abridges_long_enums() -> None:
    document = copy.deepcopy(TINY)
    document["components"]["schemas"]["Rope"]["properties"]["knot"] = {"type": "string", "enum": list("abcde")}
    toy = next(s for s in build(document).reference if s.union == "Toy")
    assert toy.rows[1].fields == "`length`?: float, `knot`?: str (5 known values)"


def _broken(edit: Any) -> Api:
    document = copy.deepcopy(TINY)
    edit(document)
    return build(document)


def test_a_streaming_operation_without_a_stream_switch_is_a_spec_error() -> None:
    def edit(document: dict[str, Any]) -> None:
        for name in ("CreateCat", "CreateDog"):
            del document["components"]["schemas"][name]["properties"]["stream"]

    with pytest.raises(SpecError, match="createPet: x-sdk-stream needs a `stream` field"):
        _broken(edit)


def test_body_shapes_that_no_argument_tells_apart_are_a_spec_error() -> None:
    def edit(document: dict[str, Any]) -> None:
        document["components"]["schemas"]["CreateDog"]["required"] = ["name"]

    with pytest.raises(SpecError, match="CreatePet: variant CreateDog needs a required property"):
        _broken(edit)


def test_paths_outside_the_api_version_are_a_spec_error() -> None:
    def edit(document: dict[str, Any]) -> None:
        document["paths"]["/pets"] = document["paths"].pop("/{api_version}/pets")

    with pytest.raises(SpecError, match="/pets: paths must start with /{api_version}"):
        _broken(edit)


# --------------------------------------------------------------------------- the loader's conventions


def load(tmp_path: Path, edit: Any) -> LoadedSpec:
    document = copy.deepcopy(TINY)
    edit(document["components"]["schemas"])
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return load_spec(path)


def test_the_tiny_spec_keeps_every_convention(tmp_path: Path) -> None:
    assert load(tmp_path, lambda schemas: None).revision == "2030-01-02"


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (
            lambda s: s["Toy"]["discriminator"]["mapping"].pop("rope"),
            "Toy: variant Rope has no discriminator mapping entry",
        ),
        (lambda s: s["Toy"]["oneOf"].pop(), "Toy: mapping 'rope' -> #/components/schemas/Rope is not a oneOf member"),
        (
            lambda s: s["Toy"]["oneOf"].append({"type": "string"}),
            "Toy: every oneOf member of a discriminated union must be a $ref",
        ),
        (
            lambda s: s["Ball"]["properties"]["type"].update(const="bal"),
            "Toy: variant Ball must declare type as {type: string, const: 'ball'}",
        ),
        (lambda s: s["Rope"]["required"].remove("type"), "Toy: variant Rope must list type as required"),
        (
            lambda s: s["Toy"].pop("discriminator"),
            "Toy: a union of tagged objects must be a named schema with a discriminator",
        ),
        (
            lambda s: s["Pet"]["properties"].update(toy={"oneOf": [ref("Ball"), ref("Rope")]}),
            "Pet/properties/toy: a union of tagged objects must be a named schema with a discriminator",
        ),
    ],
)
def test_broken_discriminator_conventions_are_named(tmp_path: Path, edit: Any, problem: str) -> None:
    with pytest.raises(SpecError) as raised:
        load(tmp_path, edit)
    assert problem in [line.strip() for line in str(raised.value).splitlines()], str(raised.value)
