package cli

import (
	"errors"
	"strings"
	"testing"
)

func TestDBNameHidesThePassword(t *testing.T) {
	tests := []struct{ db, want string }{
		{"var/formsvc.db", "var/formsvc.db"},
		{"postgres://formsvc:b%C3%AD-m%E1%BA%ADt@db1:5432/formsvc", "postgres://formsvc:xxxxx@db1:5432/formsvc"},
		{"postgresql://formsvc@db1,db2/formsvc?target_session_attrs=read-write", "postgresql://formsvc@db1,db2/formsvc?target_session_attrs=read-write"},
		{"postgres://formsvc@db1/formsvc?password=bi-mat&sslmode=require", "postgres://formsvc@db1/formsvc?password=xxxxx&sslmode=require"},
		{"postgres://formsvc:bi mat%zz@db1/formsvc", "postgres://…"},
	}
	for _, tt := range tests {
		if got := dbName(tt.db); got != tt.want {
			t.Errorf("dbName(%q) = %q, want %q", tt.db, got, tt.want)
		}
	}
}

func TestRedactErrTakesThePasswordOut(t *testing.T) {
	db := "postgres://formsvc:b%C3%AD-m%E1%BA%ADt@db1/formsvc?password=khac"
	for _, msg := range []string{"auth failed for bí-mật", "cannot parse b%C3%AD-m%E1%BA%ADt", "khac is wrong"} {
		if got := redactErr(errors.New(msg), db).Error(); strings.Contains(got, "bí-mật") || strings.Contains(got, "%C3%AD") || strings.Contains(got, "khac") {
			t.Errorf("redactErr(%q) = %q", msg, got)
		}
	}
	plain := errors.New("no password here")
	if got := redactErr(plain, db); got != plain {
		t.Errorf("an error without the password changed: %v", got)
	}
}
