// Package problem reports what is wrong with a hand-written file, such as
// an agreement or the actor registry: every problem at once, each with the
// file, line and field it concerns, since fixing one error per run is a
// poor way to spend a negotiator's afternoon.
package problem

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a file.
type Problem struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (p Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	if p.Field != "" {
		b.WriteString(": ")
		b.WriteString(p.Field)
	}
	b.WriteString(": ")
	b.WriteString(p.Msg)
	return b.String()
}

// List is every problem found in a file; as an error it reads one
// problem per line.
type List []Problem

func (l List) Error() string {
	lines := make([]string, len(l))
	for i, p := range l {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}
