package format

import "github.com/sluicedb/sluice/types"

// NONE carries no columns: the key of a stream without key columns. As in
// ksqlDB it is a key format only. Decoding ignores the bytes; encoding writes none.
type noneFormat struct{}

func (noneFormat) Name() string { return None }

func (noneFormat) Validate(cols []types.Column, opts Options) error {
	if !opts.Key {
		return &SchemaError{Format: None, Reason: "The 'NONE' format can only be used as a key format."}
	}
	if len(cols) > 0 {
		return &SchemaError{Format: None, Reason: "The 'NONE' format can only be used when no columns are defined. Got: " + columnList(cols)}
	}
	if opts.WrapSingleValue != nil {
		return &SchemaError{Format: None, Reason: "Format 'NONE' does not support 'WRAP_SINGLE_VALUE'."}
	}
	return nil
}

func (f noneFormat) NewDecoder(cols []types.Column, opts Options) (Decoder, error) {
	if err := f.Validate(cols, opts); err != nil {
		return nil, err
	}
	return noneCodec{}, nil
}

func (f noneFormat) NewEncoder(cols []types.Column, opts Options) (Encoder, error) {
	if err := f.Validate(cols, opts); err != nil {
		return nil, err
	}
	return noneCodec{}, nil
}

type noneCodec struct{}

func (noneCodec) DecodeRow(_ []byte, dst []any) ([]any, error) {
	if dst == nil {
		dst = []any{}
	}
	return dst[:0], nil
}

func (noneCodec) DecodeInto([]byte, []*types.ColumnBuilder) (bool, error) { return true, nil }

func (noneCodec) EncodeRow(dst []byte, row []any) ([]byte, error) {
	if row == nil {
		return nil, nil
	}
	return nonNil(dst), nil
}

func (noneCodec) EncodeBatchRow(dst []byte, _ *types.Batch, _ []int, _ int) ([]byte, error) {
	return nonNil(dst), nil
}

func (noneCodec) stage([]byte) (bool, error) { return true, nil }

func (noneCodec) commit([]*types.ColumnBuilder) {}
