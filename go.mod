module github.com/keytrail/keytrail

go 1.26
