package cli

import (
	"strings"
	"testing"
)

func TestTableColourAndAlignment(t *testing.T) {
	var out strings.Builder
	a := &app{terminal: true, color: true}
	tab := a.newTable("ID", "STATUS", "NOTE")
	tab.styles[1] = statusStyle
	tab.maxWidth[2] = 6
	tab.add("run-1", "COMPLETED", "a\tlong note")
	tab.add("r2", "ERROR", "")
	if err := tab.render(&out); err != nil {
		t.Fatal(err)
	}
	want := styleBold + "ID" + styleReset + "     " + styleBold + "STATUS" + styleReset + "     " +
		styleBold + "NOTE" + styleReset + "\n" +
		"run-1  " + styleGreen + "COMPLETED" + styleReset + "  a lon…\n" +
		"r2     " + styleRed + "ERROR" + styleReset + "\n"
	if out.String() != want {
		t.Errorf("got  %q\nwant %q", out.String(), want)
	}
}

func TestTablePipedEscapesFields(t *testing.T) {
	var out strings.Builder
	a := &app{}
	tab := a.newTable("A", "B")
	tab.add("x\ty", "line1\nline2\\")
	if err := tab.render(&out); err != nil {
		t.Fatal(err)
	}
	if want := "x\\ty\tline1\\nline2\\\\\n"; out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}

func TestDisplayWidthAndTruncate(t *testing.T) {
	if got := displayWidth("日本語ab"); got != 8 {
		t.Errorf("displayWidth = %d, want 8", got)
	}
	if got := truncate("日本語ab", 5); got != "日本…" {
		t.Errorf("truncate = %q", got)
	}
	if got := truncate("short", 10); got != "short" {
		t.Errorf("truncate = %q", got)
	}
}
