# METADATA
# title: Allow with NotResource
# description: |
#   "Effect": "Allow" with NotResource allows the actions on every resource except those
#   listed, in every account and Region.
# custom:
#   id: notresource-allow
#   severity: warning
package keytrail.lint.notresource_allow

import data.keytrail.lint.lib

deny contains lib.finding(st, "Allow with NotResource allows the actions on every resource not listed") if {
	some st in input.statements
	st.effect == "Allow"
	st.resources.not
}
