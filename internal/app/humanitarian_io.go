package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/truce-monitor/truce/internal/humanitarian"
	"github.com/truce-monitor/truce/internal/workflow"
)

// HumanitarianLine is one line of a humanitarian JSON lines file, the
// format of export and import alike: the record's kind and the record.
// A list's line may carry the cases it names (Cases).
type HumanitarianLine struct {
	Kind   humanitarian.Kind   `json:"kind"`
	Record json.RawMessage     `json:"record"`
	Cases  []humanitarian.Case `json:"cases,omitempty"`
}

func decodeStrict(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidRecord, err)
	}
	return nil
}

// PutHumanitarian stores one record of kind from its JSON, by the rules
// of the kind's own method (who may, what is checked, what is ruled),
// and returns the record as stored.
func (a *App) PutHumanitarian(ctx context.Context, u *workflow.User, kind humanitarian.Kind, raw []byte, cases []humanitarian.Case) (any, error) {
	switch kind {
	case humanitarian.KindSiege:
		var v humanitarian.Siege
		if err := decodeStrict(raw, &v); err != nil {
			return nil, err
		}
		_, err := a.PutSiege(ctx, u, v)
		return v, err
	case humanitarian.KindAccess:
		var v humanitarian.AccessRequest
		if err := decodeStrict(raw, &v); err != nil {
			return nil, err
		}
		return a.PutAccess(ctx, u, v)
	case humanitarian.KindCase:
		var v humanitarian.Case
		if err := decodeStrict(raw, &v); err != nil {
			return nil, err
		}
		if _, err := a.PutCase(ctx, u, v); err != nil {
			return nil, err
		}
		// The answer names nobody: the identity is sealed now.
		v.Identity = nil
		return v, nil
	case humanitarian.KindList:
		var v humanitarian.List
		if err := decodeStrict(raw, &v); err != nil {
			return nil, err
		}
		_, err := a.PutList(ctx, u, v, cases)
		for _, c := range cases {
			if !contains(v.Cases, c.ID) {
				v.Cases = append(v.Cases, c.ID)
			}
		}
		return v, err
	case humanitarian.KindExchange:
		var v humanitarian.Exchange
		if err := decodeStrict(raw, &v); err != nil {
			return nil, err
		}
		return a.PutExchange(ctx, u, v)
	case humanitarian.KindEvacuation:
		var v humanitarian.Evacuation
		if err := decodeStrict(raw, &v); err != nil {
			return nil, err
		}
		return a.PutEvacuation(ctx, u, v)
	case humanitarian.KindDisplacement:
		var v humanitarian.Displacement
		if err := decodeStrict(raw, &v); err != nil {
			return nil, err
		}
		_, err := a.PutDisplacement(ctx, u, v)
		return v, err
	case humanitarian.KindMatch:
		var v humanitarian.Match
		if err := decodeStrict(raw, &v); err != nil {
			return nil, err
		}
		return a.DecideMatch(ctx, u, v)
	}
	_, err := humanitarian.ParseKind(string(kind))
	return nil, fmt.Errorf("%w: %w", ErrInvalidRecord, err)
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// ExportHumanitarian writes every humanitarian record u may see as JSON
// lines (HumanitarianLine), kind by kind: identities only to the Joint
// Group's staff, match decisions only to those who read names.
func (a *App) ExportHumanitarian(ctx context.Context, u *workflow.User, w io.Writer) (int, error) {
	enc := json.NewEncoder(w)
	n := 0
	put := func(kind humanitarian.Kind, v any) error {
		raw, err := json.Marshal(v)
		if err != nil {
			return err
		}
		n++
		return enc.Encode(HumanitarianLine{Kind: kind, Record: raw})
	}
	sieges, err := a.Sieges(ctx, u)
	if err != nil {
		return n, err
	}
	for _, v := range sieges {
		if err := put(humanitarian.KindSiege, v); err != nil {
			return n, err
		}
	}
	access, err := a.AccessRequests(ctx, u)
	if err != nil {
		return n, err
	}
	for _, v := range access {
		if err := put(humanitarian.KindAccess, v); err != nil {
			return n, err
		}
	}
	cases, err := a.Cases(ctx, u)
	if err != nil {
		return n, err
	}
	for _, v := range cases {
		if err := put(humanitarian.KindCase, v.Case); err != nil {
			return n, err
		}
	}
	lists, err := a.Lists(ctx, u)
	if err != nil {
		return n, err
	}
	for _, v := range lists {
		if err := put(humanitarian.KindList, v); err != nil {
			return n, err
		}
	}
	exchanges, err := a.Exchanges(ctx, u)
	if err != nil {
		return n, err
	}
	for _, v := range exchanges {
		if err := put(humanitarian.KindExchange, v); err != nil {
			return n, err
		}
	}
	evs, err := a.Evacuations(ctx, u)
	if err != nil {
		return n, err
	}
	for _, v := range evs {
		if err := put(humanitarian.KindEvacuation, v); err != nil {
			return n, err
		}
	}
	disp, err := a.Displacement(ctx, u)
	if err != nil {
		return n, err
	}
	for _, v := range disp {
		if err := put(humanitarian.KindDisplacement, v); err != nil {
			return n, err
		}
	}
	if SeesIdentities(u) {
		matches, err := records[humanitarian.Match](ctx, a, humanitarian.KindMatch)
		if err != nil {
			return n, err
		}
		for _, v := range matches {
			if err := put(humanitarian.KindMatch, v); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// HumanitarianImport is what an import did: rows read, records stored,
// and each rejected row with its line and why.
type HumanitarianImport struct {
	Rows     int      `json:"rows"`
	Stored   int      `json:"stored"`
	Rejected []string `json:"rejected,omitempty"`
}

// ImportHumanitarian reads records from JSON lines (HumanitarianLine,
// what ExportHumanitarian writes) or from CSV, and stores each through
// PutHumanitarian, rejecting bad rows one by one. A CSV file holds records
// of one kind: its header names each column's field by its JSON path
// ("id", "identity.name", "area.pcodes"), a list field's values being
// separated by ";", so that a sheet maps onto the record by its header
// alone. Access steps, periods and other nested lists are for JSON lines.
func (a *App) ImportHumanitarian(ctx context.Context, u *workflow.User, format string, kind humanitarian.Kind, r io.Reader) (HumanitarianImport, error) {
	var sum HumanitarianImport
	keep := func(line int, k humanitarian.Kind, raw []byte, cases []humanitarian.Case) error {
		sum.Rows++
		_, err := a.PutHumanitarian(ctx, u, k, raw, cases)
		switch {
		case err == nil:
			sum.Stored++
		case errors.Is(err, ErrInvalidRecord):
			sum.Rejected = append(sum.Rejected, fmt.Sprintf("line %d: %v", line, err))
		default:
			return fmt.Errorf("line %d: %w", line, err)
		}
		return nil
	}
	switch format {
	case "jsonl":
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 64<<10), 8<<20)
		for line := 1; sc.Scan(); line++ {
			if len(bytes.TrimSpace(sc.Bytes())) == 0 {
				continue
			}
			var l HumanitarianLine
			if err := decodeStrict(sc.Bytes(), &l); err != nil {
				sum.Rows++
				sum.Rejected = append(sum.Rejected, fmt.Sprintf("line %d: %v", line, err))
				continue
			}
			if err := keep(line, l.Kind, l.Record, l.Cases); err != nil {
				return sum, err
			}
		}
		return sum, sc.Err()
	case "csv":
		if _, err := humanitarian.ParseKind(string(kind)); err != nil {
			return sum, fmt.Errorf("%w: a CSV file holds records of one kind: %w", ErrInvalidRecord, err)
		}
		cr := csv.NewReader(r)
		cr.FieldsPerRecord = -1
		head, err := cr.Read()
		if err != nil {
			return sum, fmt.Errorf("%w: header: %v", ErrInvalidRecord, err)
		}
		for line := 2; ; line++ {
			row, err := cr.Read()
			if errors.Is(err, io.EOF) {
				return sum, nil
			}
			if err != nil {
				sum.Rows++
				sum.Rejected = append(sum.Rejected, fmt.Sprintf("line %d: %v", line, err))
				continue
			}
			raw, err := csvRecord(head, row)
			if err != nil {
				sum.Rows++
				sum.Rejected = append(sum.Rejected, fmt.Sprintf("line %d: %v", line, err))
				continue
			}
			if err := keep(line, kind, raw, nil); err != nil {
				return sum, err
			}
		}
	}
	return sum, fmt.Errorf("%w: format %q: jsonl or csv", ErrInvalidRecord, format)
}

// listFields are the fields, at any depth, that hold lists.
var listFields = map[string]bool{"pcodes": true, "besieging": true, "items": true, "guarantee": true, "cases": true, "evidence": true, "reasons": true}

// numberFields hold numbers.
var numberFields = map[string]bool{"population": true, "people": true, "killed": true, "score": true}

// csvRecord builds a record's JSON from a row by its header's paths.
func csvRecord(head, row []string) ([]byte, error) {
	root := map[string]any{}
	for i, path := range head {
		if i >= len(row) || strings.TrimSpace(row[i]) == "" {
			continue
		}
		val := strings.TrimSpace(row[i])
		parts := strings.Split(strings.TrimSpace(path), ".")
		m := root
		for _, p := range parts[:len(parts)-1] {
			next, ok := m[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[p] = next
			}
			m = next
		}
		leaf := parts[len(parts)-1]
		switch {
		case listFields[leaf]:
			var vs []string
			for _, v := range strings.Split(val, ";") {
				if v = strings.TrimSpace(v); v != "" {
					vs = append(vs, v)
				}
			}
			m[leaf] = vs
		case numberFields[leaf]:
			f, err := strconv.ParseFloat(val, 64)
			if err != nil {
				return nil, fmt.Errorf("%s: %q is not a number", path, val)
			}
			m[leaf] = f
		default:
			m[leaf] = val
		}
	}
	return json.Marshal(root)
}
