module github.com/sluicedb/sluice

go 1.26
