// Evaluates AWS requests against IAM policies with @cloud-copilot/iam-simulate (AGPL-3.0, a
// test-time tool: installed by `make iam-tools`, never part of what is deployed).
//
//   node devtools/iam-simulate/evaluate.mjs < requests.json > decisions.json
//
// Input: {policies: {name: document}, requests: [{id, principal, action, resource, account,
// context, identityPolicies, boundaryPolicies, sessionPolicy?, resourcePolicy?}]}, the policies
// of a request named (a role's few documents serve thousands of calls). Output: a JSON array of {id, decision,
// errors?, ignoredContextKeys?, denyBy?}: decision is Allowed, ExplicitlyDenied,
// ImplicitlyDenied or Error (the evaluator refused the request: an action or resource it does
// not know, a policy it cannot parse), never a guess. tests/harness/iam.py writes and reads these.
import { readFileSync } from 'node:fs'
import { runSimulation } from '@cloud-copilot/iam-simulate'

const { policies, requests } = JSON.parse(readFileSync(0, 'utf8'))
const named = (names) => (names ?? []).map((name) => ({ name, policy: policies[name] }))

function denyingStatements(result) {
  const analysis = result?.analysis ?? {}
  const sids = []
  for (const part of ['identityAnalysis', 'permissionBoundaryAnalysis', 'resourceAnalysis']) {
    for (const statement of analysis[part]?.denyStatements ?? []) {
      sids.push(`${part.replace('Analysis', '')}:${statement.statement?.Sid ?? '?'}`)
    }
  }
  return sids
}

const decisions = []
for (const request of requests) {
  const simulation = {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.account },
      contextVariables: request.context ?? {}
    },
    identityPolicies: named(request.identityPolicies),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    permissionBoundaryPolicies: named(request.boundaryPolicies)
  }
  if (request.sessionPolicy) simulation.sessionPolicy = policies[request.sessionPolicy]
  if (request.resourcePolicy) simulation.resourcePolicy = policies[request.resourcePolicy]
  let response
  try {
    response = await runSimulation(simulation, {})
  } catch (error) {
    decisions.push({ id: request.id, decision: 'Error', errors: String(error) })
    continue
  }
  if (response.resultType === 'error') {
    decisions.push({ id: request.id, decision: 'Error', errors: JSON.stringify(response.errors) })
    continue
  }
  const results = response.resultType === 'single' ? [response.result] : response.results
  decisions.push({
    id: request.id,
    decision: response.overallResult,
    ignoredContextKeys: [...new Set(results.flatMap((r) => r.ignoredContextKeys ?? []))],
    denyBy: [...new Set(results.flatMap(denyingStatements))]
  })
}
process.stdout.write(JSON.stringify(decisions))
