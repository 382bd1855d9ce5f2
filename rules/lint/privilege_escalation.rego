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

# allowed_by(i): the actions the qualifying statements up to index i allow on "*".
allowed_by(i) := {a | some st in input.statements; st.index <= i; qualifies(st); some a in st.covers}

# completes(st): the escalation methods st is the first statement to complete.
completes(st) := {name |
	some name, set in methods
	completing := [s | some s in input.statements; qualifies(s); count(set - allowed_by(s.index)) == 0]
	count(completing) > 0
	completing[0].index == st.index
}

deny contains lib.finding(st, sprintf("completes the privilege-escalation methods %s", [lib.sorted_join(names)])) if {
	some st in input.statements
	qualifies(st)
	names := completes(st)
	count(names) > 0
}
