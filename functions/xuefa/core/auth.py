"""Who is asking (claims → actor) and whether a unit lies inside their scope.

An admin may act on their own unit and everything below it; a learner only on
themselves. Unit paths are `/`-joined ids from the city down (`530400/530402/u0001`),
so "inside the subtree" is one string comparison.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from xuefa.core.errors import Forbidden, Unauthorized

LEARNERS = "learners"
ADMINS = "admins"


@dataclass(frozen=True)
class Actor:
    username: str
    groups: frozenset[str]
    unit_id: str

    @property
    def is_admin(self) -> bool:
        return ADMINS in self.groups

    @property
    def is_learner(self) -> bool:
        return LEARNERS in self.groups


def _groups(raw: Any) -> frozenset[str]:
    # API Gateway hands claims over as strings: a list claim may arrive as
    # "admins,learners" or "[admins learners]"; tests and other sources pass a list.
    if raw is None:
        return frozenset()
    if isinstance(raw, list | tuple):
        return frozenset(str(g) for g in raw)
    text = str(raw).strip().strip("[]")
    return frozenset(part for part in text.replace(",", " ").split() if part)


def claims_of(authorizer: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """The claims API Gateway hands over: Cognito's authorizer nests them under `claims`;
    a Lambda authorizer (our own identity) passes its context beside `principalId`, under
    plain keys (`xuefa.identity.authorizer.context_of`), read back here as Cognito's claims."""
    if not authorizer:
        return None
    nested = authorizer.get("claims")
    if nested is not None:
        return dict(nested)
    if "principalId" not in authorizer:
        return None
    return {
        "cognito:username": authorizer.get("username"),
        "cognito:groups": authorizer.get("groups"),
        "custom:unit_id": authorizer.get("unit_id"),
    }


def actor_from_claims(claims: Mapping[str, Any] | None) -> Actor:
    if not claims:
        raise Unauthorized()
    username = str(claims.get("cognito:username") or "").strip()
    unit_id = str(claims.get("custom:unit_id") or "").strip()
    if not username or not unit_id:
        raise Unauthorized("the token lacks a username or unit")
    return Actor(username=username, groups=_groups(claims.get("cognito:groups")), unit_id=unit_id)


class AdminUnits:
    """An admin's unit from our own record of that admin (the ADMIN profile item), never
    from the token: a claim is what its holder could set (Cognito lets a user write any
    attribute its app client does not exclude). One read per admin per container, kept
    `ttl` seconds, so an admin moved or removed loses the old scope within that time;
    at most `size` admins are held (the least recently asked go first)."""

    def __init__(
        self, read: Callable[[str], str | None], ttl: float = 60.0, size: int = 512
    ) -> None:
        self._read = read
        self._ttl = ttl
        self._size = size
        self._held: OrderedDict[str, tuple[float, str | None]] = OrderedDict()

    def unit_of(self, username: str, now: datetime) -> str | None:
        at = now.timestamp()
        held = self._held.get(username)
        if held is not None and 0 <= at - held[0] < self._ttl:
            self._held.move_to_end(username)
            return held[1]
        unit_id = self._read(username)
        self._held[username] = (at, unit_id)
        self._held.move_to_end(username)
        while len(self._held) > self._size:
            self._held.popitem(last=False)
        return unit_id

    def scoped(self, actor: Actor, now: datetime) -> Actor:
        """The actor with the unit our record gives; a learner is left as claimed (their
        records are found by username, and a learner's unit comes from their profile)."""
        if not actor.is_admin:
            return actor
        unit_id = self.unit_of(actor.username, now)
        if not unit_id:
            raise Forbidden("no administrator record for this account")
        return actor if unit_id == actor.unit_id else replace(actor, unit_id=unit_id)


def in_subtree(path: str, root_path: str) -> bool:
    return path == root_path or path.startswith(root_path + "/")


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("only administrators may do this")


def require_learner(actor: Actor) -> None:
    if not actor.is_learner:
        raise Forbidden("only learners may do this")


def require_unit_in_scope(actor: Actor, actor_unit_path: str, target_unit_path: str) -> None:
    """An admin acts on their unit's subtree only; the 403 says nothing about the target."""
    require_admin(actor)
    if not in_subtree(target_unit_path, actor_unit_path):
        raise Forbidden("that unit is outside your scope")


def require_city_admin(actor: Actor, actor_unit_path: str) -> None:
    require_admin(actor)
    if "/" in actor_unit_path:
        raise Forbidden("only city administrators may do this")


class CityAdmins(Protocol):
    """Whether the actor is the city's administrator: the roster's directory knows (it
    reads the actor's unit), so that years and other lower parts need not import it."""

    def city_admin(self, actor: Actor) -> object: ...
