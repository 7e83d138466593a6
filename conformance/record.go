package conformance

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// Record is one input or expected output record of a case, as written in
// the file. Key and Value stay as JSON because their meaning depends on the
// formats of the source that reads the topic (a JSON object for JSON values,
// a string for DELIMITED, a bare number or string for KAFKA), which only the
// statements reveal.
type Record struct {
	Topic string `json:"topic"`
	// Key is the record key; nil when absent or JSON null (no key).
	Key json.RawMessage `json:"key"`
	// Value is the record value; JSON null is a tombstone.
	Value json.RawMessage `json:"value"`
	// Timestamp is the record time in ms; nil when the file gives none
	// (inputs then carry 0, outputs are not checked).
	Timestamp *int64 `json:"timestamp"`
	// Window is the window of a windowed key.
	Window *Window `json:"window"`
	// Headers are the record headers; nil when the file gives none (then
	// an output must have none), empty when it gives [].
	Headers []Header `json:"headers"`
}

// Window is the window part of a windowed key.
type Window struct {
	Start int64 `json:"start"`
	End   int64 `json:"end"`
	// Type is "time" or "session".
	Type string `json:"type"`
}

// Header is one record header; Value is base64 in the files and nil for a
// null header value.
type Header struct {
	Key   string
	Value []byte
}

// UnmarshalJSON reads {"KEY": k, "VALUE": base64|null}, accepting any case
// of the field names.
func (h *Header) UnmarshalJSON(b []byte) error {
	var m map[string]*string
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	for k, v := range m {
		switch strings.ToUpper(k) {
		case "KEY":
			if v != nil {
				h.Key = *v
			}
		case "VALUE":
			if v == nil {
				h.Value = nil
				continue
			}
			dec, err := base64.StdEncoding.DecodeString(*v)
			if err != nil {
				return fmt.Errorf("conformance: header %q: value is not base64: %w", h.Key, err)
			}
			h.Value = dec
		}
	}
	return nil
}

// MarshalJSON writes the file form, so results can show headers.
func (h Header) MarshalJSON() ([]byte, error) {
	m := map[string]any{"KEY": h.Key, "VALUE": nil}
	if h.Value != nil {
		m["VALUE"] = base64.StdEncoding.EncodeToString(h.Value)
	}
	return json.Marshal(m)
}

// isNull reports whether raw is absent or JSON null.
func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

// TopicSpec is a pre-declared topic of a case (the `topics` list).
type TopicSpec struct {
	Name       string `json:"name"`
	Partitions int    `json:"partitions"`
	// KeyFormat and ValueFormat name the formats the test harness used for
	// the topic; Format is an older spelling of ValueFormat.
	KeyFormat   string `json:"keyFormat"`
	ValueFormat string `json:"valueFormat"`
	Format      string `json:"format"`
}

// Post is a case's post-conditions.
type Post struct {
	Sources []PostSource `json:"sources"`
	Topics  *PostTopics  `json:"topics"`
}

// PostSource is an expected stream or table after the statements ran.
type PostSource struct {
	Name string `json:"name"`
	// Type is "stream" or "table".
	Type string `json:"type"`
	// Schema is the expected columns, `ID INT KEY, NAME STRING`; empty
	// means not checked.
	Schema      string      `json:"schema"`
	KeyFormat   *PostFormat `json:"keyFormat"`
	ValueFormat *PostFormat `json:"valueFormat"`
	IsSource    *bool       `json:"isSource"`
}

// PostFormat is a format in a post-condition: a bare name or an object
// with format and window details.
type PostFormat struct {
	Format     string `json:"format"`
	WindowType string `json:"windowType"`
	WindowSize *int64 `json:"windowSize"`
}

// UnmarshalJSON accepts "JSON" as well as {"format": "JSON", ...}.
func (f *PostFormat) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		f.Format = s
		return nil
	}
	type plain PostFormat
	return json.Unmarshal(b, (*plain)(f))
}

// PostTopics are the topic post-conditions.
type PostTopics struct {
	// Blacklist is a regular expression no topic name may match.
	Blacklist string      `json:"blacklist"`
	Topics    []PostTopic `json:"topics"`
}

// PostTopic is an expected topic with its formats.
type PostTopic struct {
	Name        string      `json:"name"`
	KeyFormat   *PostFormat `json:"keyFormat"`
	ValueFormat *PostFormat `json:"valueFormat"`
	Partitions  int         `json:"partitions"`
}

// Decoded is a case's records, topics and post-conditions parsed from
// their raw JSON.
type Decoded struct {
	Topics  []TopicSpec
	Inputs  []Record
	Outputs []Record
	Post    *Post
}

// decodeCase parses the parts of the case that Case keeps raw.
func decodeCase(c *Case) (*Decoded, error) {
	d := &Decoded{}
	if !isNull(c.Topics) {
		if err := json.Unmarshal(c.Topics, &d.Topics); err != nil {
			return nil, fmt.Errorf("conformance: topics: %w", err)
		}
	}
	var err error
	if d.Inputs, err = decodeRecords(c.Inputs); err != nil {
		return nil, fmt.Errorf("conformance: inputs: %w", err)
	}
	if d.Outputs, err = decodeRecords(c.Outputs); err != nil {
		return nil, fmt.Errorf("conformance: outputs: %w", err)
	}
	if !isNull(c.Post) {
		d.Post = &Post{}
		if err := json.Unmarshal(c.Post, d.Post); err != nil {
			return nil, fmt.Errorf("conformance: post: %w", err)
		}
	}
	return d, nil
}

func decodeRecords(raws []json.RawMessage) ([]Record, error) {
	out := make([]Record, len(raws))
	for i, r := range raws {
		if err := json.Unmarshal(r, &out[i]); err != nil {
			return nil, fmt.Errorf("record %d: %w", i, err)
		}
		if out[i].Topic == "" {
			return nil, fmt.Errorf("record %d: no topic", i)
		}
	}
	return out, nil
}
