"""Fixes for moto 5.2.5's AWS Budgets where it lacks calls provider 5.x makes.

The observability unit (modules/observability) creates a monthly cost budget whose
notifications go to the alarm topic, tagged like every resource (the provider's default_tags).
moto creates budgets and notifications but has no subscribers' read, no update and no tags, so
the provider retried DescribeSubscribersForNotification until the apply timed out. Each fix
answers as the AWS Budgets API reference documents the call
(https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_Operations_AWS_Budgets.html).
docs/infrastructure.md lists them.
"""

from __future__ import annotations

import json
from typing import Any

from moto.budgets import responses as budgets_responses
from moto.budgets.exceptions import NotFoundException
from moto.utilities.tagging_service import TaggingService

_Response = budgets_responses.BudgetsResponse

# What identifies a notification of a budget: AWS matches on these, whatever else a caller
# sends (NotificationState is AWS's own).
_NOTIFICATION_KEY = ("NotificationType", "ComparisonOperator", "Threshold", "ThresholdType")


def budget_arn(partition: str, account_id: str, name: str) -> str:
    return f"arn:{partition}:budgets::{account_id}:budget/{name}"


def _tags(self: Any) -> TaggingService:
    """The budgets' tags, kept on moto's backend (a reset drops both)."""
    backend = self.backend
    tags: TaggingService | None = getattr(backend, "_sumapi_tags", None)
    if tags is None:
        tags = TaggingService(tag_name="ResourceTags", key_name="Key", value_name="Value")
        backend._sumapi_tags = tags
    return tags


def _budget(self: Any, account_id: str, name: str) -> Any:
    budget = self.backend.budgets[account_id].get(name)
    if budget is None:
        raise NotFoundException(f"Unable to get budget: {name} - the budget doesn't exist.")
    return budget


def _arn_budget(self: Any, arn: str) -> Any:
    """The budget an ARN names: arn:<partition>:budgets::<account>:budget/<name>."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "budgets" or not parts[5].startswith("budget/"):
        raise NotFoundException(f"Unable to find resource {arn}")
    try:
        return _budget(self, parts[4], parts[5].removeprefix("budget/"))
    except NotFoundException:
        raise NotFoundException(f"Unable to find resource {arn}") from None


_original_create_budget = _Response.create_budget
_original_delete_budget = _Response.delete_budget


def _create_budget(self: Any) -> str:
    # Why: provider 5.x tags budgets (ResourceTags of CreateBudget, default_tags included) and
    # reads them back with ListTagsForResource; moto ignored the tags and lacks the call.
    result: str = _original_create_budget(self)
    tags = self._get_param("ResourceTags") or []
    if tags:
        name = self._get_param("Budget")["BudgetName"]
        arn = budget_arn(self.partition, self._get_param("AccountId"), name)
        _tags(self).tag_resource(arn, tags)
    return result


def _delete_budget(self: Any) -> str:
    result: str = _original_delete_budget(self)
    arn = budget_arn(self.partition, self._get_param("AccountId"), self._get_param("BudgetName"))
    _tags(self).delete_all_tags_for_resource(arn)
    return result


def _update_budget(self: Any) -> str:
    # Why: moto lacks UpdateBudget (a changed limit or filter of an existing budget). AWS
    # replaces the budget's definition with NewBudget and keeps its notifications.
    account_id = self._get_param("AccountId")
    new = dict(self._get_param("NewBudget"))
    budget = _budget(self, account_id, new["BudgetName"])
    new.setdefault("TimePeriod", budget.budget["TimePeriod"])
    new["LastUpdatedTime"] = budget.budget["LastUpdatedTime"]
    budget.budget = new
    return json.dumps({})


def _describe_subscribers_for_notification(self: Any) -> str:
    # Why: moto lacks the call the provider reads each notification's subscribers with (its
    # 500 made the provider retry until the apply timed out). AWS answers the subscribers of
    # the budget's notification, NotFoundException when the budget or the notification is not
    # there.
    budget = _budget(self, self._get_param("AccountId"), self._get_param("BudgetName"))
    asked = self._get_param("Notification")
    key = tuple(asked.get(k) for k in _NOTIFICATION_KEY)
    for notification in budget.notifications:
        if tuple(notification.details.get(k) for k in _NOTIFICATION_KEY) == key:
            return json.dumps({"Subscribers": notification.subscribers})
    name = budget.budget["BudgetName"]
    raise NotFoundException(
        f"Unable to describe subscribers: budget {name} has no such notification"
    )


def _list_tags_for_resource(self: Any) -> str:
    arn = self._get_param("ResourceARN")
    _arn_budget(self, arn)
    return json.dumps(_tags(self).list_tags_for_resource(arn))


def _tag_resource(self: Any) -> str:
    arn = self._get_param("ResourceARN")
    _arn_budget(self, arn)
    _tags(self).tag_resource(arn, self._get_param("ResourceTags") or [])
    return json.dumps({})


def _untag_resource(self: Any) -> str:
    arn = self._get_param("ResourceARN")
    _arn_budget(self, arn)
    _tags(self).untag_resource_using_names(arn, self._get_param("ResourceTagKeys") or [])
    return json.dumps({})


def apply() -> list[str]:
    """Patch moto in this process; returns the names of the fixes applied."""
    _Response.create_budget = _create_budget  # type: ignore[method-assign]
    _Response.delete_budget = _delete_budget  # type: ignore[method-assign]
    _Response.update_budget = _update_budget  # type: ignore[attr-defined]
    _Response.describe_subscribers_for_notification = _describe_subscribers_for_notification  # type: ignore[attr-defined]
    _Response.list_tags_for_resource = _list_tags_for_resource  # type: ignore[attr-defined]
    _Response.tag_resource = _tag_resource  # type: ignore[attr-defined]
    _Response.untag_resource = _untag_resource  # type: ignore[attr-defined]
    return [
        "budgets.DescribeSubscribersForNotification",
        "budgets.UpdateBudget",
        "budgets keep their tags (CreateBudget ResourceTags, ListTagsForResource, TagResource, "
        "UntagResource)",
    ]
