package actor

import (
	"bytes"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// newFile starts a registry file that Append makes from nothing.
const newFile = `# Actors added with "truce actors add". Each addition stores a new
# version of this file; every version is kept and logged (docs/actors.md).
actors: []
`

// Append returns the registry file src (a file's bytes, or nothing for a
// new file) with a added as its last actor. The file's other actors and
// its comments are kept; its layout may be normalised. Append does not
// validate: load the result (with the files it goes with) to do that.
func Append(src []byte, a Actor) ([]byte, error) {
	if len(bytes.TrimSpace(src)) == 0 {
		src = []byte(newFile)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("not a registry file: want a mapping with actors")
	}
	top := doc.Content[0]
	var list *yaml.Node
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value == "actors" {
			list = top.Content[i+1]
		}
	}
	if list == nil {
		list = &yaml.Node{Kind: yaml.SequenceNode}
		top.Content = append(top.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "actors"}, list)
	}
	switch {
	case list.Kind == yaml.ScalarNode && list.Tag == "!!null":
		*list = yaml.Node{Kind: yaml.SequenceNode}
	case list.Kind != yaml.SequenceNode:
		return nil, fmt.Errorf("line %d: actors: want a list", list.Line)
	}
	var item yaml.Node
	if err := item.Encode(a); err != nil {
		return nil, err
	}
	list.Style = 0 // block: one actor after another, as written by hand
	list.Content = append(list.Content, &item)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
