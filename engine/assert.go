package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/broker"
)

// defaultAssertTimeout is ksql.assert.topic.default.timeout.ms.
const defaultAssertTimeout = time.Second

// assertPoll is how often ASSERT TOPIC looks again while it waits: the log
// has no topic-creation notification to wait on.
const assertPoll = 50 * time.Millisecond

// assertTopic checks that a topic exists (or, with NOT EXISTS, does not)
// within the timeout, and that it has the partitions its WITH clause asks
// for. A failed assertion has CodeAssertionFailed.
func (s *Session) assertTopic(ctx context.Context, st *ast.AssertTopic, text string) (Result, error) {
	e := s.e
	timeout := defaultAssertTimeout
	if v, ok := s.Properties()["ksql.assert.topic.default.timeout.ms"]; ok {
		if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
			timeout = time.Duration(ms) * time.Millisecond
		}
	}
	if st.Timeout != nil {
		timeout = time.Duration(st.Timeout.Millis()) * time.Millisecond
	}
	for _, p := range st.Properties {
		if p.Name != "PARTITIONS" && p.Name != "REPLICAS" {
			return nil, errorf(p, "Cannot assert unknown topic property: %s", p.Name)
		}
	}
	want, hasWant := withInt(st.Properties, "PARTITIONS")
	deadline := time.Now().Add(timeout)
	for {
		name := st.Topic
		if found, err := e.resolveTopic(ctx, st.Topic, false); err == nil {
			name = found
		}
		d, err := e.log.DescribeTopic(ctx, name)
		exists := err == nil
		if err != nil && !errors.Is(err, broker.ErrUnknownTopic) {
			return nil, &Error{Code: CodeServerError, Message: err.Error(), Err: err}
		}
		var failure string
		switch {
		case st.NotExists && exists:
			failure = fmt.Sprintf("Topic %s exists", st.Topic)
		case !st.NotExists && !exists:
			failure = fmt.Sprintf("Topic %s does not exist", st.Topic)
		case !st.NotExists && hasWant && len(d.Partitions) != want:
			return nil, &Error{Code: CodeAssertionFailed, Pos: st.Pos, Message: fmt.Sprintf(
				"Mismatched configuration for topic %s: For config partitions, expected %d got %d", st.Topic, want, len(d.Partitions))}
		default:
			return &AssertResult{Statement: text, Topic: st.Topic, Exists: !st.NotExists}, nil
		}
		if !time.Now().Before(deadline) {
			return nil, &Error{Code: CodeAssertionFailed, Pos: st.Pos, Message: failure}
		}
		t := time.NewTimer(min(assertPoll, time.Until(deadline)))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, &Error{Code: CodeAssertionFailed, Pos: st.Pos, Message: failure, Err: ctx.Err()}
		}
	}
}
