// Package yamldoc reads the YAML files truce is configured with (agreements,
// mappings), each of which holds one document.
package yamldoc

import (
	"bytes"
	"errors"
	"io"

	"gopkg.in/yaml.v3"
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
	for {
		var next yaml.Node
		err := dec.Decode(&next)
		if errors.Is(err, io.EOF) {
			return doc, 0, nil
		}
		if err != nil {
			return doc, 0, err
		}
		if len(next.Content) > 0 && !(next.Content[0].Tag == "!!null" && next.Content[0].Value == "") {
			return doc, next.Line, nil
		}
	}
}
