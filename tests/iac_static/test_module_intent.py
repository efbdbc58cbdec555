"""What the modules mean that neither `tofu test` nor a plan shows, read from their HCL.

`depends_on` orders the apply and leaves no trace in a plan or a state, so a tofu test cannot
tell whether it is there. These checks parse the module's .tf files (python-hcl2) and assert
the wiring itself. Static and fast: nothing is initialised or planned.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import hcl2

from tests.harness import ROOT

COMPUTE = ROOT / "modules" / "compute"

# Labels and plain strings unquoted, no comments or block markers: {"resource": [{type: {name:
# {argument: value}}}]}, an expression being its source text in "${...}".
PARSE = hcl2.SerializationOptions(
    with_comments=False, explicit_blocks=False, strip_string_quotes=True
)
# A resource address inside an expression: type.name, the type with an underscore (so var.x,
# local.x, each.key are not), not preceded by "data." or another attribute.
REFERENCE = re.compile(r"(?<![\w.])([a-z][a-z0-9]*_[a-z0-9_]+\.[a-z_][a-z0-9_-]*)")
# Resources that grant a role its rights, and the argument that names the role.
ROLE_POLICY_TYPES = {"aws_iam_role_policy": "role", "aws_iam_role_policy_attachment": "role"}


def resources(texts: Iterable[str]) -> dict[str, dict[str, Any]]:
    """{"aws_ecs_service.this": {its arguments and nested blocks}} of the resource blocks."""
    found: dict[str, dict[str, Any]] = {}
    for text in texts:
        for block in hcl2.loads(text, serialization_options=PARSE).get("resource", []):
            for kind, named in block.items():
                for name, body in named.items():
                    found[f"{kind}.{name}"] = body
    return found


def module_resources(module: Path) -> dict[str, dict[str, Any]]:
    return resources(tf.read_text() for tf in sorted(module.glob("*.tf")))


def references(value: object) -> set[str]:
    """The resource addresses an argument's expressions name (aws_iam_role.task, no attribute)."""
    if isinstance(value, str):
        expressions = re.findall(r"\$\{(.*)\}", value, re.DOTALL)
        return {ref for e in expressions for ref in REFERENCE.findall(e)}
    if isinstance(value, list):
        return {ref for item in value for ref in references(item)}
    if isinstance(value, dict):
        return {ref for item in value.values() for ref in references(item)}
    return set()


def the_one(refs: set[str], kind: str) -> str | None:
    named = sorted(r for r in refs if r.startswith(f"{kind}."))
    return named[0] if len(named) == 1 else None


def service_start_problems(found: dict[str, dict[str, Any]]) -> list[str]:
    """Why aws_ecs_service.this could start tasks before their roles may do their work."""
    service = found.get("aws_ecs_service.this")
    if service is None:
        return ["no aws_ecs_service.this"]
    definition = the_one(references(service.get("task_definition")), "aws_ecs_task_definition")
    if definition is None or definition not in found:
        return [
            "aws_ecs_service.this.task_definition does not come from the module's "
            "aws_ecs_task_definition: the roles the service's tasks run with are not known here"
        ]
    problems = []
    waited_for = references(service.get("depends_on", []))
    for argument in ("execution_role_arn", "task_role_arn"):
        role = the_one(references(found[definition].get(argument)), "aws_iam_role")
        if role is None:
            problems.append(f"{definition}.{argument} is not one of the module's aws_iam_role")
            continue
        grants = sorted(
            address
            for address, body in found.items()
            if address.split(".")[0] in ROLE_POLICY_TYPES
            and role in references(body.get(ROLE_POLICY_TYPES[address.split(".")[0]]))
        )
        if argument == "execution_role_arn" and not grants:
            problems.append(f"{role} (the execution role) has no policy: no task could start")
        problems += [
            f"aws_ecs_service.this does not depend on {grant} ({role}'s rights): add it to "
            "its depends_on, or the first tasks start before IAM has the policy"
            for grant in grants
            if grant not in waited_for
        ]
    return problems


SAMPLE = """
resource "aws_iam_role" "execution" {}
resource "aws_iam_role" "task" {}
resource "aws_iam_role_policy" "execution" {
  role = aws_iam_role.execution.id # a comment naming aws_iam_role.task
}
resource "aws_iam_role_policy_attachment" "task" {
  count      = var.on ? 1 : 0
  role       = aws_iam_role.task.name
  policy_arn = data.aws_iam_policy.managed.arn
}
resource "aws_ecs_task_definition" "this" {
  execution_role_arn = aws_iam_role.execution.arn
  task_role_arn      = aws_iam_role.task.arn
}
"""


def sample_service(arguments: str) -> dict[str, dict[str, Any]]:
    return resources([SAMPLE, f'resource "aws_ecs_service" "this" {{\n{arguments}\n}}\n'])


def test_the_reader_finds_references_in_expressions_only() -> None:
    found = resources([SAMPLE])
    assert references(found["aws_iam_role_policy.execution"]["role"]) == {"aws_iam_role.execution"}
    assert references(found["aws_iam_role_policy_attachment.task"]) == {"aws_iam_role.task"}


def test_the_check_catches_a_service_that_does_not_wait_for_its_roles() -> None:
    own_definition = "task_definition = aws_ecs_task_definition.this.arn"
    both_policies = (
        "depends_on = [aws_iam_role_policy.execution, aws_iam_role_policy_attachment.task]"
    )
    assert service_start_problems(sample_service(f"{own_definition}\n{both_policies}")) == []

    execution_only = "depends_on = [aws_iam_role_policy.execution]"
    problems = service_start_problems(sample_service(f"{own_definition}\n{execution_only}"))
    assert len(problems) == 1
    assert "aws_iam_role_policy_attachment.task" in problems[0]

    assert len(service_start_problems(sample_service(own_definition))) == 2

    foreign_definition = "task_definition = var.task_definition_arn"
    problems = service_start_problems(sample_service(f"{foreign_definition}\n{both_policies}"))
    assert len(problems) == 1
    assert "does not come from" in problems[0]


def test_the_compute_service_starts_tasks_only_once_their_roles_have_their_policies() -> None:
    """IAM is eventually consistent: a task started before its execution role's policy exists
    cannot pull its image or read its secret, and the circuit breaker fails the first deploy."""
    found = module_resources(COMPUTE)
    assert references(found["aws_ecs_service.this"]["task_definition"]) == {
        "aws_ecs_task_definition.this"
    }, "the service must run the module's own task definition"
    problems = service_start_problems(found)
    assert not problems, "modules/compute: " + "; ".join(problems)
