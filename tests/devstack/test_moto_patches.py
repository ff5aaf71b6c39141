"""devstack.moto_patches and the keep-alive moto server: moto's DynamoDB transactions undo just
what they touched, stay all-or-nothing, and threads writing at once never see a 500."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from devstack import moto_patches
from devstack.moto_process import MotoProcess, start_server
from tests.devstack.conftest import FAKE_CREDENTIALS

TABLE = "patched"
NO_RETRIES = Config(retries={"max_attempts": 1, "mode": "standard"}, max_pool_connections=16)


def create_table(db: Any) -> None:
    db.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )


def key(pk: str, sk: str = "x") -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def put(pk: str, **attributes: str) -> dict[str, Any]:
    item = {**key(pk), **{name: {"S": value} for name, value in attributes.items()}}
    return {"Put": {"TableName": TABLE, "Item": item}}


@pytest.fixture
def db(patched_moto: None) -> Iterator[Any]:
    """moto in-process (mock_aws) with the patches applied, and a table with one item."""
    client = boto3.client("dynamodb", region_name="us-east-1")
    create_table(client)
    client.put_item(TableName=TABLE, Item={**key("kept"), "v": {"S": "before"}})
    yield client


def items(db: Any) -> dict[str, dict[str, Any]]:
    return {item["pk"]["S"]: item for item in db.scan(TableName=TABLE)["Items"]}


def test_a_failing_condition_in_the_third_operation_leaves_the_first_two_unapplied(db: Any):
    # Given a table holding "kept" (v=before)
    # When a transaction puts a new item, updates "kept", then checks a condition that fails
    with pytest.raises(db.exceptions.TransactionCanceledException) as cancelled:
        db.transact_write_items(
            TransactItems=[
                put("new", v="added"),
                {
                    "Update": {
                        "TableName": TABLE,
                        "Key": key("kept"),
                        "UpdateExpression": "SET v = :v",
                        "ExpressionAttributeValues": {":v": {"S": "changed"}},
                    }
                },
                {
                    "ConditionCheck": {
                        "TableName": TABLE,
                        "Key": key("absent"),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )

    # Then DynamoDB's reasons name the third operation, and the table is as it was
    reasons = [reason["Code"] for reason in cancelled.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "ConditionalCheckFailed"]
    assert set(items(db)) == {"kept"}
    assert items(db)["kept"]["v"] == {"S": "before"}


def test_a_delete_then_a_validation_error_puts_the_deleted_item_back(db: Any):
    # Given "kept"; When a transaction deletes it and then names one item twice (a ValidationException)
    with pytest.raises(db.exceptions.ClientError) as refused:
        db.transact_write_items(
            TransactItems=[
                {"Delete": {"TableName": TABLE, "Key": key("kept")}},
                put("twice", v="1"),
                put("twice", v="2"),
            ]
        )

    # Then it is refused as DynamoDB refuses it, and "kept" is back, unchanged
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert items(db) == {"kept": {**key("kept"), "v": {"S": "before"}}}


def test_a_successful_transaction_applies_every_operation_without_copying_the_table(db: Any, monkeypatch):
    # Given a Table that cannot be deep-copied (moto's own rollback copies every table it touches)
    from moto.dynamodb.models.table import Table

    def refuse(self: Any, memo: Any) -> Any:
        raise AssertionError("the whole table was copied")

    monkeypatch.setattr(Table, "__deepcopy__", refuse, raising=False)

    # When a transaction writes two items and one fails its condition, and then one succeeds
    with pytest.raises(db.exceptions.TransactionCanceledException):
        db.transact_write_items(
            TransactItems=[
                put("a", v="1"),
                {**put("kept"), "Put": {**put("kept")["Put"], "ConditionExpression": "attribute_not_exists(pk)"}},
            ]
        )
    db.transact_write_items(TransactItems=[put("a", v="1"), put("b", v="2")])

    # Then neither copied the table; the cancelled one left nothing, the other wrote both
    assert set(items(db)) == {"kept", "a", "b"}


def test_undoing_the_patch_gives_moto_its_own_transaction_back():
    # Given the patch applied twice (a stack and a test inside it)
    import moto.dynamodb.models as models

    original = models.DynamoDBBackend.transact_write_items
    first, second = moto_patches.apply(), moto_patches.apply()

    # When one user undoes it, it stays; when both have, moto is as it was
    first()
    assert moto_patches.applied() and models.DynamoDBBackend.transact_write_items is not original
    second()
    first()  # a second undo by the same user changes nothing
    assert not moto_patches.applied()
    assert models.DynamoDBBackend.transact_write_items is original


@pytest.fixture
def server_db(patched_moto_env: None) -> Iterator[Any]:
    """The keep-alive moto server in a thread of this process, patched, with the table."""
    server = start_server("127.0.0.1", 0)
    endpoint = "http://{}:{}".format(*server.server_address[:2])
    try:
        client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1", config=NO_RETRIES)
        create_table(client)
        yield client
    finally:
        import urllib.request

        urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST", data=b"")).close()
        server.shutdown()
        server.server_close()


def test_threads_writing_transactions_at_once_never_get_a_500_and_lose_no_increment(server_db: Any):
    # Given 8 threads, each writing 15 transactions: a new item and an increment of one counter
    # (the table grows while they write: moto's own rollback copy failed with a 500 then)
    errors: list[BaseException] = []

    def write(thread: int) -> None:
        for index in range(15):
            try:
                server_db.transact_write_items(
                    TransactItems=[
                        put(f"t{thread}-{index}", v="x"),
                        {
                            "Update": {
                                "TableName": TABLE,
                                "Key": key("counter"),
                                "UpdateExpression": "ADD n :one",
                                "ExpressionAttributeValues": {":one": {"N": "1"}},
                            }
                        },
                    ]
                )
            except BaseException as error:  # collected and asserted below
                errors.append(error)

    threads = [threading.Thread(target=write, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then every transaction succeeded (no retries allowed), and the counter counted each one
    assert errors == []
    counter = server_db.get_item(TableName=TABLE, Key=key("counter"), ConsistentRead=True)["Item"]
    assert counter["n"] == {"N": "120"}


def test_threads_racing_to_create_one_item_leave_exactly_one_winner(server_db: Any):
    # Given 8 threads creating the same item under attribute_not_exists (an idempotency claim)
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def claim(thread: int) -> None:
        barrier.wait()
        try:
            server_db.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": TABLE,
                            "Item": {**key("claim"), "owner": {"S": str(thread)}},
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    }
                ]
            )
            outcomes.append("won")
        except server_db.exceptions.TransactionCanceledException:
            outcomes.append("lost")

    threads = [threading.Thread(target=claim, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then exactly one won, as DynamoDB would have it
    assert sorted(outcomes) == ["lost"] * 7 + ["won"]


def test_the_server_keeps_a_connection_alive_across_requests(server_db: Any):
    # Given one HTTP connection to the server
    host, port = server_db.meta.endpoint_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)

    # When three requests go over it, one with a chunked body
    answers = []
    for body in (None, None, iter([b"Action=ListQueues&Version=2012-11-05"])):
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        connection.request(
            "POST" if body else "GET",
            "/moto-api/data.json" if body is None else "/",
            body=body,
            headers=headers,
            encode_chunked=body is not None,
        )
        answer = connection.getresponse()
        answers.append((answer.status, answer.getheader("Connection"), len(answer.read())))
    connection.close()

    # Then each got a whole answer; only the chunked one closed the connection
    assert [status for status, _, _ in answers] == [200, 200, 200]
    assert [header for _, header, _ in answers] == [None, None, "close"]
    assert all(length > 0 for _, _, length in answers)


def test_moto_in_its_own_process_answers_and_is_gone_once_stopped(monkeypatch: pytest.MonkeyPatch):
    # Given moto started in a process of its own
    for name, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    child = MotoProcess()
    endpoint = child.start()
    pid = child.pid
    try:
        # When a client creates a table there and lists it
        client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1", config=NO_RETRIES)
        create_table(client)
        listed = client.list_tables()["TableNames"]
    finally:
        child.stop()

    # Then it answered, and once stopped the process no longer exists
    assert listed == [TABLE]
    assert pid is not None
    with pytest.raises(ProcessLookupError):
        import os

        os.kill(pid, 0)
