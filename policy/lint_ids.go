package policy

// LintCheck describes a structural lint check implemented by Lint.
type LintCheck struct {
	ID, Severity, Title string
}

// StructuralChecks are Lint's checks with their default severities (LINT-CHECKS.md).
var StructuralChecks = []LintCheck{
	{"invalid-json", "error", "Not parseable JSON"},
	{"duplicate-key", "error", "A JSON object repeats a member name"},
	{"invalid-element-type", "error", "An element has the wrong JSON type"},
	{"unknown-element", "error", "A member name that is not a policy element"},
	{"missing-version", "warning", "No Version: policy variables are not expanded"},
	{"invalid-version", "error", "Version is neither 2012-10-17 nor 2008-10-17"},
	{"old-version", "warning", "Version 2008-10-17 treats variables as literal text"},
	{"missing-statement", "error", "Statement is absent or empty"},
	{"statement-not-array", "info", "Statement is a single object"},
	{"missing-effect", "error", "A statement has no Effect"},
	{"invalid-effect", "error", "Effect is not exactly Allow or Deny"},
	{"missing-action", "error", "Neither Action nor NotAction"},
	{"missing-resource", "error", "Neither Resource nor NotResource"},
	{"missing-principal", "error", "A resource-policy statement with no Principal"},
	{"principal-in-identity-policy", "error", "Principal or NotPrincipal in an identity policy"},
	{"conflicting-elements", "error", "An element and its Not form in one statement"},
	{"empty-principal", "error", "An empty Principal"},
	{"invalid-principal", "error", "A malformed or unsupported principal"},
	{"invalid-sid", "error", "The Sid breaks the policy type's rule"},
	{"duplicate-sid", "warning", "A Sid used by more than one statement"},
	{"invalid-characters", "error", "Characters outside the KMS key-policy character set"},
	{"policy-too-large", "error", "Over the policy size quota"},
	{"unknown-service", "error", "Unknown service prefix"},
	{"unknown-action", "error", "No AWS action matches"},
	{"action-not-applicable", "warning", "An action that can never apply to this policy's resource"},
	{"resource-mismatch", "warning", "No resource of the statement fits the action"},
	{"invalid-arn", "error", "A malformed ARN"},
	{"key-policy-resource", "warning", "A key-policy Resource other than *"},
	{"unknown-condition-key", "error", "Unknown condition key"},
	{"condition-key-action-mismatch", "warning", "A condition key none of the statement's actions supports"},
	{"invalid-condition-operator", "error", "Unknown condition operator"},
	{"condition-key-type-mismatch", "warning", "The operator does not fit the key's type"},
	{"invalid-condition-value", "warning", "A value that does not parse for its operator"},
	{"wildcard-without-like", "warning", "* or ? under a non-Like operator"},
	{"null-with-ifexists", "error", "NullIfExists"},
	{"forallvalues-single-valued", "warning", "ForAllValues on a single-valued key"},
	{"viaservice-format", "error", "kms:ViaService not service.region.amazonaws.com"},
	{"duplicate-condition-key", "error", "A condition key twice in one operator block"},
}
