package sqldb

import (
	jsonv2 "github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// asEncodingJSON are the options that make the v2 decoder behave as
// encoding/json's Unmarshal does (names matched without regard to case,
// the last of a duplicate name kept, invalid UTF-8 taken as it is): what
// json.Marshal stored reads back exactly as before (TestDecodeAsV1).
var asEncodingJSON = jsonv1.DefaultOptionsV1()

// unmarshal decodes a stored document (or a JSON column) into v.
//
// A page of incidents decodes a hundred documents (each incident and its
// ruling), and encoding/json's decoder was a third of what a page cost
// truce at a million incidents on PostgreSQL: 24 µs an incident and its
// ruling (BenchmarkDecodeDocs), against 13 µs with the decoder that became
// Go's encoding/json/v2 (go-json-experiment/json, which the standard
// library's copy is made from; in Go 1.26 that copy is still behind
// GOEXPERIMENT=jsonv2, which the README's build does not set).
func unmarshal[T string | []byte](doc T, v any) error {
	return jsonv2.Unmarshal([]byte(doc), v, asEncodingJSON)
}
