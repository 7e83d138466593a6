package engine

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// checkProperty validates the value of a property the engine or the
// runtime reads, so that a typo fails at SET time with ksqlDB's message
// rather than being ignored when a query starts. Properties the engine does
// not read are accepted as they are (ksqlDB passes most through to Kafka
// clients).
func checkProperty(name, value string) error {
	key := strings.TrimPrefix(name, "ksql.streams.")
	switch key {
	case "auto.offset.reset":
		allowed := []string{"latest", "earliest", "none"}
		if !slices.Contains(allowed, strings.ToLower(strings.TrimSpace(value))) {
			return fmt.Errorf("Invalid value %s for configuration %s: String must be one of: %s", value, name, strings.Join(allowed, ", "))
		}
	case "commit.interval.ms", "ksql.assert.topic.default.timeout.ms":
		if n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64); err != nil || n < 0 {
			return fmt.Errorf("Invalid value %s for configuration %s: Not a number of type LONG", value, name)
		}
	case "processing.guarantee":
		allowed := []string{"at_least_once", "exactly_once", "exactly_once_beta", "exactly_once_v2"}
		if !slices.Contains(allowed, strings.ToLower(strings.TrimSpace(value))) {
			return fmt.Errorf("Invalid value %s for configuration %s: String must be one of: %s", value, name, strings.Join(allowed, ", "))
		}
	}
	return nil
}
