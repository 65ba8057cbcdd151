// Package yamldoc reads the YAML files truce is configured with (agreements,
// mappings), each of which holds one document.
package yamldoc

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/truce-monitor/truce/internal/problem"
)

// One decodes the first document of data, and returns the line where a
// second, non-empty document starts (0 when there is none): yaml.v3 reads
// the first document and ignores the rest, so a second one (a version
// pasted after "---") would be lost without a word. An empty data gives a
// node of kind 0.
func One(data []byte) (doc yaml.Node, second int, err error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return doc, 0, err
	}
	second, err = Another(dec)
	return doc, second, err
}

// Another reads on from a decoder that has read a file's first document,
// and returns the line where a second, non-empty document starts (0 when
// there is none): yaml.v3 reads the first and ignores the rest, so a
// second one would be lost without a word.
func Another(dec *yaml.Decoder) (int, error) {
	for {
		var next yaml.Node
		err := dec.Decode(&next)
		if errors.Is(err, io.EOF) {
			return 0, nil
		}
		if err != nil {
			return 0, err
		}
		if len(next.Content) > 0 && !(next.Content[0].Tag == "!!null" && next.Content[0].Value == "") {
			return next.Line, nil
		}
	}
}

// Root reads a data file that holds one document and returns its root
// node, or the problems that stop it being read: YAML errors with their
// lines, an empty file, a second document (holds says what the file holds
// instead, for the message).
func Root(data []byte, file, holds string) (*yaml.Node, problem.List) {
	doc, second, err := One(data)
	switch {
	case err != nil:
		return nil, Problems(file, err)
	case doc.Kind == 0 || len(doc.Content) == 0:
		return nil, problem.List{{File: file, Msg: "file is empty"}}
	case second > 0:
		return nil, problem.List{{File: file, Line: second, Msg: "a second YAML document starts here; " + holds}}
	}
	return doc.Content[0], nil
}

// Problems turns yaml.v3's errors ("yaml: line 3: ..." or a list of them)
// into problems with the file and line each names.
func Problems(file string, err error) problem.List {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msg = strings.Join(te.Errors, "; ")
	}
	var ps problem.List
	for _, m := range strings.Split(strings.TrimPrefix(msg, "yaml: "), "; ") {
		p := problem.Problem{File: file, Msg: m}
		if rest, ok := strings.CutPrefix(m, "line "); ok {
			if n, text, ok := strings.Cut(rest, ": "); ok {
				if line, err := strconv.Atoi(n); err == nil {
					p.Line, p.Msg = line, text
				}
			}
		}
		ps = append(ps, p)
	}
	return ps
}
