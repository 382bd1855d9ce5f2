package main

# Team rule: every statement needs a Sid.
deny contains {"id": "team-sid-required", "severity": "warning", "message": "give every statement a Sid", "statement": st.index, "line": st.line, "col": st.col} if {
	some st in input.statements
	st.sid == ""
}
