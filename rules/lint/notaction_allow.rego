# METADATA
# title: Allow with NotAction
# description: |
#   "Effect": "Allow" with NotAction allows every action of every service except those listed,
#   including ones AWS adds later (NotAction "s3:*" on "*" allows iam:PassRole on "*").
# custom:
#   id: notaction-allow
#   severity: warning
package keytrail.lint.notaction_allow

import data.keytrail.lint.lib

deny contains lib.finding(st, "Allow with NotAction allows every action not listed, of every service, including future ones") if {
	some st in input.statements
	st.effect == "Allow"
	st.actions.not
}
