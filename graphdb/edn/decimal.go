package edn

import (
	"bytes"
	"cmp"
	"math/big"
	"strconv"
)

// Float64 returns the nearest float64 to d (±Inf or 0 when out of range).
func (d BigDecimal) Float64() float64 {
	text := appendBigDecimal(nil, d)
	f, _ := strconv.ParseFloat(string(text[:len(text)-1]), 64)
	return f
}

// Rat returns the exact value of d as a rational number. Its size grows
// with |Scale|, so beware of decimals such as 1E-999999999M from
// untrusted input; Equal, Hash and Compare never build it.
func (d BigDecimal) Rat() *big.Rat {
	r := new(big.Rat).SetInt(d.unscaled())
	if d.Scale == 0 {
		return r
	}
	scale := int64(d.Scale)
	if scale < 0 {
		scale = -scale
	}
	pow := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(scale), nil))
	if d.Scale > 0 {
		return r.Quo(r, pow)
	}
	return r.Mul(r, pow)
}

func (d BigDecimal) unscaled() *big.Int {
	if d.Unscaled == nil {
		return new(big.Int)
	}
	return d.Unscaled
}

// decimalDigits is a decimal in a unique form for comparing: sign, the
// digits of |unscaled| without trailing zeros, and the exponent of the
// first digit, so the value is sign × 0.digits × 10^(exp+1).
type decimalDigits struct {
	sign   int
	digits []byte
	exp    int64
}

func (d BigDecimal) digitsForm() decimalDigits {
	u := d.unscaled()
	if u.Sign() == 0 {
		return decimalDigits{}
	}
	digits := new(big.Int).Abs(u).Append(nil, 10)
	exp := int64(len(digits)) - 1 - int64(d.Scale)
	return decimalDigits{sign: u.Sign(), digits: bytes.TrimRight(digits, "0"), exp: exp}
}

// normalized returns d with the trailing zeros of its unscaled value
// removed, so numerically equal decimals hash alike.
func (d BigDecimal) normalized() BigDecimal {
	f := d.digitsForm()
	if f.sign == 0 {
		return BigDecimal{Unscaled: new(big.Int)}
	}
	u, _ := new(big.Int).SetString(string(f.digits), 10)
	if f.sign < 0 {
		u.Neg(u)
	}
	return BigDecimal{Unscaled: u, Scale: int32(int64(len(f.digits)) - 1 - f.exp)}
}

// compareDecimals compares numerically, in time linear in the digits
// whatever the scales.
func compareDecimals(a, b BigDecimal) int {
	fa, fb := a.digitsForm(), b.digitsForm()
	if fa.sign != fb.sign {
		return cmp.Compare(fa.sign, fb.sign)
	}
	if fa.sign == 0 {
		return 0
	}
	c := cmp.Compare(fa.exp, fb.exp)
	if c == 0 {
		c = bytes.Compare(fa.digits, fb.digits) // no trailing zeros: a prefix is smaller
	}
	return c * fa.sign
}

// toDecimal converts a finite number exactly.
func toDecimal(v Value) BigDecimal {
	switch x := v.(type) {
	case BigDecimal:
		return x
	case int64:
		return BigDecimal{Unscaled: big.NewInt(x)}
	case *big.Int:
		return BigDecimal{Unscaled: x}
	case float64:
		// x = num / 2^k exactly, and num / 2^k = num × 5^k / 10^k.
		r := new(big.Rat).SetFloat64(x)
		k := r.Denom().BitLen() - 1
		five := new(big.Int).Exp(big.NewInt(5), big.NewInt(int64(k)), nil)
		return BigDecimal{Unscaled: five.Mul(five, r.Num()), Scale: int32(k)}
	}
	panic("edn: toDecimal of a non-number")
}
