"""Structured extraction: the model's answer parsed into your own pydantic model, shown as it streams.

`parse(response_format=Person)` asks for JSON of the model's schema and validates the answer into a
`Person`; with `stream=True`, `partial_parsed()` is the object as far as it has arrived. Run it
with GEMINI_API_KEY set to talk to the API; without, it runs against the embedded test server.
"""

from __future__ import annotations

import os

import pydantic
from gemini_interactions import Client
from gemini_interactions.testing import InteractionsTestServer
from typing_extensions import assert_type

MODEL = "gemini-3-flash-preview"
TEXT = "Ada Lovelace (born 1815) wrote the first published algorithm and translated Menabrea's paper on the Engine."


class Person(pydantic.BaseModel):
    name: str
    born: int
    known_for: list[str] = pydantic.Field(description="What the person is known for, briefly.")


def main(client: Client) -> Person:
    with client.interactions.parse(
        model=MODEL, input=f"Who is mentioned here? {TEXT}", response_format=Person, stream=True
    ) as stream:
        for _event in stream:
            partial = stream.partial_parsed()
            if partial:
                print("so far:", partial)
        interaction = stream.final_interaction()
    person = interaction.output_parsed
    assert_type(person, Person)
    print("parsed:", person)

    everyone = client.interactions.parse(model=MODEL, input=f"Everyone mentioned: {TEXT}", response_format=list[Person])
    assert_type(everyone.output_parsed, list[Person])
    print("everyone:", [p.name for p in everyone.output_parsed])
    return person


def run_example() -> Person:
    if os.environ.get("GEMINI_API_KEY"):
        with Client() as client:
            return main(client)
    with InteractionsTestServer() as server, Client(api_key="test-key", base_url=server.base_url) as client:
        return main(client)


if __name__ == "__main__":
    run_example()
