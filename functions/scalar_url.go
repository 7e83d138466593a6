package functions

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

func urlFunctions() []*Function {
	extract := func(name, description string, ret *Pattern, get func(*url.URL) any) *Function {
		return scalar(name, catURL, description,
			sig(ret, description, func(a []any) (any, error) {
				u, err := parseURL(a[0].(string))
				if err != nil {
					return nil, err
				}
				return get(u), nil
			}, p("input", PString)))
	}
	nonEmpty := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	return []*Function{
		scalar("URL_ENCODE_PARAM", catURL, "Escapes a value for use in a URL query parameter (application/x-www-form-urlencoded).",
			sig(PString, "Encodes the value.", func(a []any) (any, error) { return formEncode(a[0].(string)), nil }, p("input", PString))),
		scalar("URL_DECODE_PARAM", catURL, "Unescapes a URL query-parameter value (application/x-www-form-urlencoded).",
			sig(PString, "Decodes the value.", func(a []any) (any, error) {
				s, err := url.QueryUnescape(a[0].(string))
				if err != nil {
					return nil, nil
				}
				return s, nil
			}, p("input", PString))),
		extract("URL_EXTRACT_FRAGMENT", "Returns the decoded fragment of a URL, or NULL.", PString, func(u *url.URL) any { return nonEmpty(u.Fragment) }),
		extract("URL_EXTRACT_HOST", "Returns the host of a URL, or NULL.", PString, func(u *url.URL) any { return nonEmpty(u.Hostname()) }),
		extract("URL_EXTRACT_PATH", "Returns the decoded path of a URL; empty if it has none.", PString, func(u *url.URL) any { return u.Path }),
		extract("URL_EXTRACT_PORT", "Returns the explicit port of a URL, or NULL.", PInt, func(u *url.URL) any {
			n, err := strconv.Atoi(u.Port())
			if err != nil {
				return nil
			}
			return int32(n)
		}),
		extract("URL_EXTRACT_PROTOCOL", "Returns the scheme of a URL, or NULL.", PString, func(u *url.URL) any { return nonEmpty(u.Scheme) }),
		extract("URL_EXTRACT_QUERY", "Returns the decoded query string of a URL, or NULL.", PString, decodedQuery),
		scalar("URL_EXTRACT_PARAMETER", catURL, "Returns the value of the named parameter in the decoded query string of a URL: empty if it has no value, NULL if absent.",
			sig(PString, "Looks up the parameter.", func(a []any) (any, error) {
				u, err := parseURL(a[0].(string))
				if err != nil {
					return nil, err
				}
				q := decodedQuery(u)
				if q == nil {
					return nil, nil
				}
				want := a[1].(string)
				for _, kv := range strings.Split(q.(string), "&") {
					k, v, hasValue := strings.Cut(kv, "=")
					if k != want {
						continue
					}
					if !hasValue {
						return "", nil
					}
					return v, nil
				}
				return nil, nil
			}, p("input", PString), p("parameter", PString))),
	}
}

// decodedQuery is java.net.URI.getQuery: the percent-decoded query ('+'
// stays '+'), or nil without one.
func decodedQuery(u *url.URL) any {
	if u.RawQuery == "" && !u.ForceQuery {
		return nil
	}
	q, err := url.PathUnescape(u.RawQuery)
	if err != nil {
		return u.RawQuery
	}
	return q
}

// parseURL parses an RFC 3986 URI reference as java.net.URI does; text
// that is not a URI is an error for the processing log, as in ksqlDB.
func parseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("functions: URL input has invalid syntax: %s", s)
	}
	return u, nil
}

// formEncode is java.net.URLEncoder.encode with UTF-8: letters, digits and
// ".-*_" pass, space becomes '+', everything else is %XX per UTF-8 byte.
func formEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '*' || c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte("0123456789ABCDEF"[c>>4])
			b.WriteByte("0123456789ABCDEF"[c&15])
		}
	}
	return b.String()
}
