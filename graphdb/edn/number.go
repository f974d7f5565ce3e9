package edn

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"time"
)

// numberParts is a number token split by the EDN grammar:
//
//	[+-]? int ( N | ( .digits* )? ( [eE][+-]?digits )? M? )
//	int = 0 | [1-9][0-9]*
type numberParts struct {
	negative bool
	intPart  []byte
	fracPart []byte // after '.', nil without one
	expPart  []byte // after 'e', with its sign; nil without one
	suffix   byte   // 'N', 'M' or 0
	float    bool   // has a fraction or an exponent
}

// parseNumber parses a token that starts like a number.
func parseNumber(tok []byte) (Value, error) {
	n, ok := splitNumber(tok)
	if !ok {
		return nil, fmt.Errorf("invalid number %s", clip(tok))
	}
	switch {
	case n.suffix == 'M':
		return parseDecimal(n, tok)
	case n.float:
		return parseFloat(tok)
	case n.suffix == 'N':
		return parseBigInt(tok[:len(tok)-1])
	}
	if i, err := strconv.ParseInt(string(tok), 10, 64); err == nil {
		return i, nil
	}
	return parseBigInt(tok) // out of int64 range: a big integer, as in Clojure
}

func splitNumber(tok []byte) (numberParts, bool) {
	var n numberParts
	i := 0
	if tok[0] == '+' || tok[0] == '-' {
		n.negative = tok[0] == '-'
		i++
	}
	j := digitsEnd(tok, i)
	n.intPart = tok[i:j]
	if len(n.intPart) == 0 || len(n.intPart) > 1 && n.intPart[0] == '0' {
		return n, false
	}
	i = j
	if i < len(tok) && tok[i] == 'N' {
		n.suffix = 'N'
		return n, i+1 == len(tok)
	}
	if i < len(tok) && tok[i] == '.' {
		j = digitsEnd(tok, i+1)
		n.fracPart, n.float, i = tok[i+1:j], true, j
	}
	if i < len(tok) && (tok[i] == 'e' || tok[i] == 'E') {
		j = i + 1
		if j < len(tok) && (tok[j] == '+' || tok[j] == '-') {
			j++
		}
		k := digitsEnd(tok, j)
		if k == j {
			return n, false
		}
		n.expPart, n.float, i = tok[i+1:k], true, k
	}
	if i < len(tok) && tok[i] == 'M' {
		n.suffix = 'M'
		i++
	}
	return n, i == len(tok)
}

func digitsEnd(tok []byte, i int) int {
	for i < len(tok) && isDigit(tok[i]) {
		i++
	}
	return i
}

func parseBigInt(digits []byte) (Value, error) {
	b, ok := new(big.Int).SetString(string(digits), 10)
	if !ok {
		return nil, fmt.Errorf("invalid number %s", clip(digits))
	}
	return b, nil
}

// parseFloat accepts overflow to ±Inf, as Clojure reads 1e400 as Infinity.
func parseFloat(tok []byte) (Value, error) {
	f, err := strconv.ParseFloat(string(tok), 64)
	if err != nil && !(errors.Is(err, strconv.ErrRange) && math.IsInf(f, 0)) {
		return nil, fmt.Errorf("invalid number %s", clip(tok))
	}
	return f, nil
}

// parseDecimal builds Unscaled from the digits before and after the point,
// and Scale from the number of fraction digits less the exponent.
func parseDecimal(n numberParts, tok []byte) (Value, error) {
	digits := make([]byte, 0, 1+len(n.intPart)+len(n.fracPart))
	if n.negative {
		digits = append(digits, '-')
	}
	digits = append(append(digits, n.intPart...), n.fracPart...)
	u, ok := new(big.Int).SetString(string(digits), 10)
	if !ok {
		return nil, fmt.Errorf("invalid number %s", clip(tok))
	}
	scale := int64(len(n.fracPart))
	if n.expPart != nil {
		exp, err := strconv.ParseInt(string(n.expPart), 10, 32)
		if err != nil {
			return nil, fmt.Errorf("decimal exponent out of range in %s", clip(tok))
		}
		scale -= exp
	}
	if scale < math.MinInt32 || scale > math.MaxInt32 {
		return nil, fmt.Errorf("decimal exponent out of range in %s", clip(tok))
	}
	return BigDecimal{Unscaled: u, Scale: int32(scale)}, nil
}

// instLayouts are the forms of #inst the reader accepts: RFC 3339 (with
// any number of fraction digits), and the truncated forms Clojure reads,
// which are UTC.
var instLayouts = []string{
	time.RFC3339,
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02",
	"2006-01",
	"2006",
}

// parseInst parses the string of an #inst. The result is in UTC, and must
// lie in the years 0 to 9999 so Format can write it back as RFC 3339.
func parseInst(s string) (time.Time, error) {
	for _, layout := range instLayouts {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		t = t.UTC()
		if y := t.Year(); y < 0 || y > 9999 {
			return time.Time{}, fmt.Errorf("#inst %q out of range in UTC", s)
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("invalid #inst %q: want RFC 3339", s)
}
