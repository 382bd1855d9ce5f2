# METADATA
# title: Privilege escalation
# description: |
#   The actions allowed on "*" cover one of Parliament's privilege-escalation methods (for
#   example iam:CreatePolicyVersion, or iam:PassRole with lambda:CreateFunction and
#   lambda:InvokeFunction). Reported on the statement that completes a method's set.
# custom:
#   id: privilege-escalation
#   severity: warning
package keytrail.lint.privilege_escalation

import data.keytrail.lint.lib

methods := {
	"CreateNewPolicyVersion": {"iam:createpolicyversion"},
	"SetExistingDefaultPolicyVersion": {"iam:setdefaultpolicyversion"},
	"CreateEC2WithExistingInstanceProfile": {"iam:passrole", "ec2:runinstances"},
	"CreateAccessKey": {"iam:createaccesskey"},
	"CreateLoginProfile": {"iam:createloginprofile"},
	"UpdateLoginProfile": {"iam:updateloginprofile"},
	"AttachUserPolicy": {"iam:attachuserpolicy"},
	"AttachGroupPolicy": {"iam:attachgrouppolicy"},
	"AttachRolePolicy": {"iam:attachrolepolicy", "sts:assumerole"},
	"PutUserPolicy": {"iam:putuserpolicy"},
	"PutGroupPolicy": {"iam:putgrouppolicy"},
	"PutRolePolicy": {"iam:putrolepolicy", "sts:assumerole"},
	"AddUserToGroup": {"iam:addusertogroup"},
	"UpdateRolePolicyToAssumeIt": {"iam:updateassumerolepolicy", "sts:assumerole"},
	"PassExistingRoleToNewLambdaThenInvoke": {"iam:passrole", "lambda:createfunction", "lambda:invokefunction"},
	"PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo": {"iam:passrole", "lambda:createfunction", "lambda:createeventsourcemapping"},
	"PassExistingRoleToNewLambdaThenTriggerWithNewDynamo": {"iam:passrole", "lambda:createfunction", "lambda:createeventsourcemapping", "dynamodb:createtable", "dynamodb:putitem"},
	"PassExistingRoleToNewGlueDevEndpoint": {"iam:passrole", "glue:createdevendpoint"},
	"UpdateExistingGlueDevEndpoint": {"glue:updatedevendpoint"},
	"PassExistingRoleToCloudFormation": {"iam:passrole", "cloudformation:createstack"},
	"PassExistingRoleToNewDataPipeline": {"iam:passrole", "datapipeline:createpipeline", "datapipeline:putpipelinedefinition"},
	"EditExistingLambdaFunctionWithRole": {"lambda:updatefunctioncode"},
}

qualifies(st) if {
	input.type == "identity"
	st.effect == "Allow"
	lib.all_resources(st)
}

escalation_actions := {a | some set in methods; some a in set}

# qualifying are the statements that count, computed once.
qualifying := [st | some st in input.statements; qualifies(st)] if input.type == "identity"

# first_cover[a] is the index of the first qualifying statement that allows a on "*".
first_cover[a] := min(idx) if {
	some a in escalation_actions
	idx := {st.index | some st in qualifying; a in st.covers}
	count(idx) > 0
}

# completed_at[name] is the index of the statement that completes the method's set.
completed_at[name] := max({first_cover[a] | some a in set}) if {
	some name, set in methods
	every a in set {
		first_cover[a]
	}
}

deny contains lib.finding(st, sprintf("completes the privilege-escalation methods %s", [lib.sorted_join(names)])) if {
	some st in input.statements
	names := {name | some name, i in completed_at; i == st.index}
	count(names) > 0
}
