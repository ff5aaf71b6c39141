"""moto's DynamoDB items built in linear time (the emulator, never the app).

moto 5 keeps an item's attributes in a `LimitedSizeDict` that, on every attribute it is given,
adds up the size of all the attributes it already holds (to refuse an item over DynamoDB's
400 KB): building an item of n attributes costs n² attribute sizes, and moto builds an item
for every put, every update (twice) and every transaction operation. The bench's tickets have
a few dozen attributes, so this was a tenth of moto's CPU.

`apply_linear_items()` builds an item's attributes, then checks their total size once: the
same refusal (`ItemSizeTooLarge` when the whole item is over moto's limit: the sizes only add
up, so the last of the original checks was the one that could fail) for a linear cost. Later
changes to an item's attributes (an update's SET) still go through moto's own check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SIZE_LIMIT = 405000  # moto's: between DynamoDB's documented 400 KB and the 409-410 KB it measured


def _linear_init(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict
    from moto.dynamodb.models.utilities import bytesize

    self.hash_key = hash_key
    self.range_key = range_key
    converted = {key: DynamoType(value) for key, value in attrs.items()}
    if sum(bytesize(key) + value.size() for key, value in converted.items()) > SIZE_LIMIT:
        raise ItemSizeTooLarge
    self.attrs = LimitedSizeDict()
    dict.update(self.attrs, converted)  # dict's own update: no per-key size check


def apply_linear_items() -> Callable[[], None]:
    """Patch moto's Item in this process; returns the function that undoes it (not counted:
    devstack.moto_patches.apply counts its users and calls this once)."""
    from moto.dynamodb.models.dynamo_type import Item

    saved = Item.__dict__["__init__"]
    Item.__init__ = _linear_init  # type: ignore[method-assign]

    def undo() -> None:
        Item.__init__ = saved  # type: ignore[method-assign]

    return undo
