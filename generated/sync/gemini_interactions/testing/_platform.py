# Copied from codegen/runtime/testing/_platform.py by `nox -s generate` - edit it there, not here.
"""The platform resources (agents, credentials, environments and their files, triggers, webhooks), in memory.

Every collection answers the same way: create (an id made up unless the body names one), get, delete,
list in insertion order by the page-token convention (`page_size`, `page_token` in; the collection's
list and `next_page_token` out), and PATCH with an `update_mask` (only the named fields change; no mask:
every field given). Path parameters arrive percent-encoded and are decoded once, so an id holding
`/`, `?` or `#` is stored and found as it was sent. Triggers also run (an execution each, listed
under the trigger); webhooks answer `:ping` and `:rotateSigningSecret`."""

from __future__ import annotations

import base64
import itertools
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from ._exchange import Exchange
from ._interactions import now
from ._routing import ApiError, Router
from ._state import ResourceState

__all__ = ["COLLECTIONS", "PlatformStore", "router"]

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
# Output-only fields a create or an update never takes from the body.
SERVER_FIELDS = frozenset({"id", "create_time", "update_time", "created", "updated", "status", "state"})


@dataclass(frozen=True)
class Collection:
    """One collection: its path segment, the list's field in a list answer, how ids and records are made."""

    name: str  # "agents": the path segment and, unless `items_field` says otherwise, the list's field
    id_prefix: str
    items_field: str = ""
    stamp: Callable[[dict[str, Any]], None] = lambda record: None  # server-side fields of a new record

    @property
    def field(self) -> str:
        return self.items_field or self.name


def _times(created: str, updated: str) -> Callable[[dict[str, Any]], None]:
    def stamp(record: dict[str, Any]) -> None:
        record.setdefault(created, now())
        record[updated] = record[created]

    return stamp


def _credential(record: dict[str, Any]) -> None:
    _times("create_time", "update_time")(record)
    record.setdefault("status", "active")
    for secret in ("token", "value", "client_secret", "refresh_token"):
        record.pop(secret, None)  # write-only: a credential's secret is never answered


def _environment(record: dict[str, Any]) -> None:
    _times("created", "updated")(record)
    record.setdefault("status", "active")


def _trigger(record: dict[str, Any]) -> None:
    _times("create_time", "update_time")(record)
    record.setdefault("status", "active")
    # Asked as create parameters, answered as the Interaction the trigger will create.
    interaction = record.get("interaction")
    if isinstance(interaction, dict):
        record["interaction"] = {**interaction, "status": interaction.get("status", "in_progress")}


def _webhook(record: dict[str, Any]) -> None:
    _times("create_time", "update_time")(record)
    record.setdefault("state", "enabled")
    if "signing_secrets" not in record:
        record["new_signing_secret"] = new_signing_secret()
        record["signing_secrets"] = [{"truncated_secret": record["new_signing_secret"][:10] + "..."}]


COLLECTIONS = {
    c.name: c
    for c in (
        Collection("agents", "ag_", stamp=_times("created", "updated")),
        Collection("credentials", "cred_", stamp=_credential),
        Collection("environments", "env_", stamp=_environment),
        Collection("triggers", "trg_", stamp=_trigger),
        Collection("webhooks", "wh_", stamp=_webhook),
    )
}


def new_signing_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


class PlatformStore(ResourceState):
    """Every platform record by collection and id (insertion order), trigger executions, environment files."""

    def __init__(self) -> None:
        super().__init__()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.records: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in COLLECTIONS}
            self.executions: dict[str, list[dict[str, Any]]] = {}
            # environment id -> path -> file metadata (`EnvironmentFile`); uploads add to it
            self.files: dict[str, dict[str, dict[str, Any]]] = {}
            # webhook id -> its live signing secrets, newest first (`_deliveries` signs with every one)
            self.signing_secrets: dict[str, list[str]] = {}
            self._ids = itertools.count(1)

    def create(self, collection: Collection, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            record = {k: v for k, v in body.items() if k not in SERVER_FIELDS or k == "id"}
            record_id = str(record.get("id") or f"{collection.id_prefix}{next(self._ids):04d}")
            records = self.records[collection.name]
            if record_id in records:
                raise ApiError(409, "already_exists", f"{collection.name}/{record_id} already exists")
            record["id"] = record_id
            collection.stamp(record)
            answer = dict(record)
            if "new_signing_secret" in record:
                self.signing_secrets[record_id] = [record["new_signing_secret"]]
            record.pop("new_signing_secret", None)  # a webhook's secret is shown once, in the create answer
            records[record_id] = record
            return answer

    def get(self, collection: Collection, record_id: str) -> dict[str, Any]:
        with self.lock:
            record = self.records[collection.name].get(record_id)
            if record is None:
                raise ApiError(404, "not_found", f"{collection.name}/{record_id} not found")
            return record

    def delete(self, collection: Collection, record_id: str) -> None:
        with self.lock:
            self.get(collection, record_id)
            del self.records[collection.name][record_id]

    def update(self, collection: Collection, record_id: str, body: dict[str, Any], mask: str | None) -> dict[str, Any]:
        with self.lock:
            record = self.get(collection, record_id)
            fields = [f.strip() for f in mask.split(",") if f.strip()] if mask else list(body)
            for name in fields:
                if name in ("id",):
                    raise ApiError(400, "invalid_argument", f"update_mask: {name} cannot be changed")
                if name in body:
                    record[name] = body[name]
                else:
                    record.pop(name, None)  # named in the mask, absent from the body: cleared
            collection.stamp(record)
            record[next(k for k in ("update_time", "updated") if k in record)] = now()
            for secret in ("token", "value", "client_secret", "refresh_token"):
                record.pop(secret, None)
            return dict(record)

    def run(self, trigger_id: str) -> dict[str, Any]:
        with self.lock:
            self.get(COLLECTIONS["triggers"], trigger_id)
            runs = self.executions.setdefault(trigger_id, [])
            execution = {
                "id": f"exec_{next(self._ids):04d}",
                "trigger_id": trigger_id,
                "status": "completed",
                "scheduled_time": now(),
                "start_time": now(),
                "end_time": now(),
            }
            runs.append(execution)
            return dict(execution)


def page(items: list[dict[str, Any]], exchange: Exchange, field: str) -> dict[str, Any]:
    """One page of `items` by the request's `page_size` and `page_token` (the token is the next offset)."""
    try:
        size = int(exchange.query.get("page_size") or DEFAULT_PAGE_SIZE)
        start = int(exchange.query.get("page_token") or 0)
    except ValueError:
        raise ApiError(400, "invalid_argument", "page_size and page_token must come from this API") from None
    if size <= 0 or start < 0:
        raise ApiError(400, "invalid_argument", "page_size must be positive")
    size = min(size, MAX_PAGE_SIZE)
    answer: dict[str, Any] = {field: [dict(item) for item in items[start : start + size]]}
    if start + size < len(items):
        answer["next_page_token"] = str(start + size)
    return answer


router = Router()

Handler = Callable[[Exchange], None]


def _route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    """A route whose answer the request's faults (`x-test-fault`) can replace, as the interactions' can."""

    def register(handler: Handler) -> Handler:
        def answer(exchange: Exchange) -> None:
            if exchange.answered_by_fault(exchange.faults("platform", handler.__name__)):
                return
            handler(exchange)

        router.add(method, pattern, answer)
        return handler

    return register


def _store(exchange: Exchange) -> PlatformStore:
    return exchange.server.state(PlatformStore)


def _collection(exchange: Exchange) -> Collection:
    name = exchange.record.path.rstrip("/").split("/")
    # /{prefix}/{api_version}/<collection>[/{id}...]: the first known collection name on the path
    for segment in name:
        if segment in COLLECTIONS:
            return COLLECTIONS[segment]
    raise ApiError(404, "not_found", "no such collection")


def _id(exchange: Exchange, name: str = "id") -> str:
    return unquote(exchange.params[name])


def _list(exchange: Exchange) -> None:
    collection = _collection(exchange)
    store = _store(exchange)
    with store.lock:
        items = list(store.records[collection.name].values())
    exchange.send_json(page(items, exchange, collection.field))


def _create(exchange: Exchange) -> None:
    exchange.send_json(_store(exchange).create(_collection(exchange), exchange.json_object()))


def _get(exchange: Exchange) -> None:
    exchange.send_json(dict(_store(exchange).get(_collection(exchange), _id(exchange))))


def _delete(exchange: Exchange) -> None:
    _store(exchange).delete(_collection(exchange), _id(exchange))
    exchange.send_json({})


def _update(exchange: Exchange) -> None:
    mask = exchange.query.get("update_mask")
    exchange.send_json(_store(exchange).update(_collection(exchange), _id(exchange), exchange.json_object(), mask))


for _name in COLLECTIONS:
    _route("GET", f"/{{api_version}}/{_name}")(_list)
    _route("POST", f"/{{api_version}}/{_name}")(_create)
    _route("GET", f"/{{api_version}}/{_name}/{{id}}")(_get)
    _route("DELETE", f"/{{api_version}}/{_name}/{{id}}")(_delete)
    _route("PATCH", f"/{{api_version}}/{_name}/{{id}}")(_update)


@_route("POST", "/{api_version}/triggers/{trigger_id}/executions")
def run_trigger(exchange: Exchange) -> None:
    exchange.send_json(_store(exchange).run(_id(exchange, "trigger_id")))


@_route("GET", "/{api_version}/triggers/{trigger_id}/executions")
def list_executions(exchange: Exchange) -> None:
    store = _store(exchange)
    trigger_id = _id(exchange, "trigger_id")
    with store.lock:
        store.get(COLLECTIONS["triggers"], trigger_id)
        runs = list(store.executions.get(trigger_id, []))
    exchange.send_json(page(runs, exchange, "trigger_executions"))


@_route("POST", "/{api_version}/webhooks/{id}:ping")
def ping(exchange: Exchange) -> None:
    from ._deliveries import deliver, event  # it signs with this module's secrets

    store = _store(exchange)
    with store.lock:
        webhook = store.get(COLLECTIONS["webhooks"], _id(exchange))
        target = (str(webhook["uri"]), list(store.signing_secrets.get(_id(exchange), [])))
    exchange.send_json({})
    deliver(exchange.server, [target], event("webhook.ping", {"webhook_id": _id(exchange)}))


@_route("POST", "/{api_version}/webhooks/{id}:rotateSigningSecret")
def rotate_signing_secret(exchange: Exchange) -> None:
    store = _store(exchange)
    with store.lock:
        webhook = store.get(COLLECTIONS["webhooks"], _id(exchange))
        secret = new_signing_secret()
        webhook["signing_secrets"] = [{"truncated_secret": secret[:10] + "..."}, *webhook.get("signing_secrets", [])]
        # The old secret keeps signing too (the overlap), so receivers can switch at their own pace.
        store.signing_secrets[webhook["id"]] = [secret, *store.signing_secrets.get(webhook["id"], [])]
    exchange.send_json({"secret": secret})


@_route("GET", "/{api_version}/environments/{environment}/files/{path=**}")
def list_files(exchange: Exchange) -> None:
    if exchange.query.get("alt") == "media":
        from ._files import download

        download(exchange)
        return
    store = _store(exchange)
    environment = _id(exchange, "environment")
    prefix = "/".join(unquote(part) for part in exchange.params["path"].split("/")).strip("/")
    recursive = exchange.flag("recursive")
    with store.lock:
        store.get(COLLECTIONS["environments"], environment)
        files = store.files.get(environment, {})
        found = [
            meta
            for path, meta in sorted(files.items())
            if path == prefix or (path.startswith(prefix + "/") and (recursive or "/" not in path[len(prefix) + 1 :]))
        ]
    exchange.send_json(page(found, exchange, "files"))
