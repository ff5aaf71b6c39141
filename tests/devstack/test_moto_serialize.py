"""devstack.moto_serialize: DynamoDB item reads written with json.dumps and projected without a
round trip answer as moto's own serializer does: every attribute type, projections of top-level
and nested attributes, an index's projection, capacity units, and a later write unseen by an
earlier read's answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from devstack.moto_serialize import body_of

TABLE = "items"
KEY = {"pk": {"S": "a"}}
ITEM = {
    **KEY,
    "g": {"S": "G"},
    "b": {"B": b"\x00\x01hi"},
    "n": {"N": "1.50"},
    "flag": {"BOOL": False},
    "l": {"L": [{"S": "x"}, {"NULL": True}, {"N": "2"}]},
    "m": {"M": {"x": {"S": "y"}, "ns": {"NS": ["1"]}, "bs": {"BS": [b"z"]}}},
}


@pytest.fixture
def db(patched_moto: None) -> Iterator[Any]:
    client = boto3.client("dynamodb", region_name="us-east-1")
    client.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "g", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["n"]},
            }
        ],
    )
    client.put_item(TableName=TABLE, Item=ITEM)
    yield client


def test_an_item_of_every_type_reads_back_as_written(db: Any):
    # When the item is read whole, and in a batch
    whole = db.get_item(TableName=TABLE, Key=KEY)["Item"]
    batch = db.batch_get_item(RequestItems={TABLE: {"Keys": [KEY]}})["Responses"][TABLE]
    # Then both are the item written, binary values included
    assert whole == ITEM and batch == [ITEM]


def test_projections_of_top_level_and_nested_attributes_return_just_those(db: Any):
    # When reads project top-level attributes, nested paths, and a name that is absent
    top = db.get_item(TableName=TABLE, Key=KEY, ProjectionExpression="pk, b, m")["Item"]
    nested = db.get_item(TableName=TABLE, Key=KEY, ProjectionExpression="m.x, l[1]")["Item"]
    absent = db.get_item(TableName=TABLE, Key=KEY, ProjectionExpression="nothing").get("Item", {})
    # Then each has exactly what it named
    assert top == {name: ITEM[name] for name in ("pk", "b", "m")}
    assert nested == {"m": {"M": {"x": {"S": "y"}}}, "l": {"L": [{"NULL": True}]}}
    assert absent == {}


def test_an_index_query_returns_the_index_projection(db: Any):
    # When the index that includes only `n` is queried
    items = db.query(
        TableName=TABLE,
        IndexName="by-g",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "G"}},
    )["Items"]
    # Then the items carry the keys and `n`, nothing else
    assert items == [{"pk": ITEM["pk"], "g": ITEM["g"], "n": ITEM["n"]}]


def test_a_projected_answer_does_not_change_with_a_later_write(db: Any):
    # Given a projected read of a map
    before = db.get_item(TableName=TABLE, Key=KEY, ProjectionExpression="m")["Item"]
    # When the map is updated afterwards
    db.update_item(
        TableName=TABLE, Key=KEY, UpdateExpression="SET m.x = :v", ExpressionAttributeValues={":v": {"S": "z"}}
    )
    after = db.get_item(TableName=TABLE, Key=KEY, ProjectionExpression="m")["Item"]
    # Then the first answer kept the old value and the second has the new one
    assert before["m"]["M"]["x"] == {"S": "y"} and after["m"]["M"]["x"] == {"S": "z"}


def test_consumed_capacity_is_written_as_floats_and_absent_members_are_left_out():
    # Given a result with whole capacity units and a member moto left as None
    result = {"ConsumedCapacity": [{"TableName": "t", "CapacityUnits": 2}], "Item": None, "Count": 1}
    # When it is written
    body = body_of(result)
    # Then the units are a float, the count an integer, and the absent member is not there
    assert body == '{"ConsumedCapacity":[{"TableName":"t","CapacityUnits":2.0}],"Count":1}'


def test_an_item_over_the_size_limit_is_refused_and_one_under_it_is_stored(db: Any):
    # Given two items of many attributes: about 390 KB and about 420 KB in all
    def item(pk: str, attributes: int) -> dict[str, Any]:
        return {"pk": {"S": pk}, **{f"a{index}": {"S": "x" * 1000} for index in range(attributes)}}

    # When both are put
    db.put_item(TableName=TABLE, Item=item("under", 390))
    with pytest.raises(db.exceptions.ClientError) as refused:
        db.put_item(TableName=TABLE, Item=item("over", 420))
    # Then the first is stored whole and the second is refused for its size
    assert len(db.get_item(TableName=TABLE, Key={"pk": {"S": "under"}})["Item"]) == 391
    assert "size" in refused.value.response["Error"]["Message"].lower()
