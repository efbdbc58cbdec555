"""The emulator's state-lock fix: a retried lock write succeeds, a competing one still fails."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from tests.harness.emulator import Emulator, private_emulator

TABLE = "locks"
NOT_LOCKED = "attribute_not_exists(LockID)"


@pytest.fixture(scope="module")
def lock_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """An emulator of this module's own: the session's may hold a deployment."""
    with private_emulator(tmp_path_factory.mktemp("emulator")) as started:
        yield started


@pytest.fixture
def dynamodb(lock_emulator: Emulator) -> Iterator[Any]:
    """A client of the emulator, with an empty lock table for this test only."""
    client = lock_emulator.client("dynamodb")
    client.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    yield client
    client.delete_table(TableName=TABLE)


def lock(client: Any, path: str, info: str) -> None:
    client.put_item(
        TableName=TABLE,
        Item={"LockID": {"S": path}, "Info": {"S": info}},
        ConditionExpression=NOT_LOCKED,
    )


def unlock(client: Any, path: str, info: str) -> None:
    client.delete_item(
        TableName=TABLE,
        Key={"LockID": {"S": path}},
        ConditionExpression="Info = :info",
        ExpressionAttributeValues={":info": {"S": info}},
    )


def test_a_retried_lock_succeeds_and_a_competing_lock_fails(dynamodb: Any) -> None:
    lock(dynamodb, "state-a", '{"ID": "one"}')
    lock(dynamodb, "state-a", '{"ID": "one"}')  # the SDK's retry of the same request
    with pytest.raises(ClientError, match="ConditionalCheckFailed"):
        lock(dynamodb, "state-a", '{"ID": "two"}')


def test_a_retried_unlock_succeeds_and_a_foreign_unlock_fails(dynamodb: Any) -> None:
    lock(dynamodb, "state-a", '{"ID": "another run"}')  # must outlive the unlocks of state-b
    lock(dynamodb, "state-b", '{"ID": "one"}')
    with pytest.raises(ClientError, match="ConditionalCheckFailed"):
        unlock(dynamodb, "state-b", '{"ID": "someone else"}')
    unlock(dynamodb, "state-b", '{"ID": "one"}')
    unlock(dynamodb, "state-b", '{"ID": "one"}')  # the retry: the lock is already gone
    items = dynamodb.scan(TableName=TABLE)["Items"]
    assert [i["LockID"]["S"] for i in items] == ["state-a"]


def test_other_tables_keep_strict_conditions(dynamodb: Any) -> None:
    dynamodb.create_table(
        TableName="plain",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    item = {"id": {"S": "x"}}
    dynamodb.put_item(TableName="plain", Item=item, ConditionExpression="attribute_not_exists(id)")
    with pytest.raises(ClientError, match="ConditionalCheckFailed"):
        dynamodb.put_item(
            TableName="plain", Item=item, ConditionExpression="attribute_not_exists(id)"
        )
