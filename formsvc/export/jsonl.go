package export

import (
	"bufio"
	"encoding/json"
	"io"
)

// JSONEncoder writes JSON Lines: one object per record, with the columns'
// stable English keys (see the README). Codes, not labels; times in
// RFC 3339 with Vietnam's offset; empty values as null.
type JSONEncoder struct {
	bw   *bufio.Writer
	enc  *json.Encoder
	cols []Column
	obj  map[string]any
}

// NewJSON starts a JSON Lines stream on w.
func NewJSON(w io.Writer, cols []Column) *JSONEncoder {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &JSONEncoder{bw: bw, enc: enc, cols: cols, obj: make(map[string]any, len(cols))}
}

// Encode writes one record as one line.
func (e *JSONEncoder) Encode(r Row) error {
	for i, c := range e.cols {
		v := r[i]
		switch {
		case v.Empty:
			e.obj[c.Key] = nil
		case c.Type == TypeBool:
			e.obj[c.Key] = v.Bool
		case c.Type == TypeInt:
			e.obj[c.Key] = v.Int
		case c.Type == TypeTime:
			e.obj[c.Key] = v.Time.Format(CodeTime)
		case c.Type == TypeList:
			codes := v.Codes
			if codes == nil {
				codes = []string{}
			}
			e.obj[c.Key] = codes
		default:
			e.obj[c.Key] = v.Code
		}
	}
	return e.enc.Encode(e.obj) // map keys are written sorted: a stable order
}

// Close flushes the stream.
func (e *JSONEncoder) Close() error { return e.bw.Flush() }
