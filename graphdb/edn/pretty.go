package edn

// FormatPretty returns the EDN text of v laid out for people: a value that
// fits in width columns from where it starts stays on one line as Format
// writes it; a longer list, vector, set or map puts one element (or map
// entry) per line, indented under its first. It reads back to the same
// value as Format's output.
//
//	{:db/id 1,
//	 :person/name "Ann",
//	 :person/friends [{:db/id 2, :person/name "Bob"}
//	                  {:db/id 3, :person/name "Cid"}]}
func FormatPretty(v Value, width int) []byte {
	return appendPretty(nil, v, 0, width)
}

// appendPretty writes v starting at column col.
func appendPretty(buf []byte, v Value, col, width int) []byte {
	flat := Append(nil, v)
	if col+len(flat) <= width {
		return append(buf, flat...)
	}
	switch x := v.(type) {
	case List:
		return appendPrettySeq(buf, "(", ")", x, col, width)
	case Vector:
		return appendPrettySeq(buf, "[", "]", x, col, width)
	case *Set:
		return appendPrettySeq(buf, "#{", "}", x.elems, col, width)
	case *Map:
		return appendPrettyMap(buf, x, col, width)
	case Tagged:
		buf = appendName(append(buf, '#'), x.Tag.Namespace, x.Tag.Name)
		buf = append(buf, ' ')
		return appendPretty(buf, x.Value, col+len(x.Tag.String())+2, width)
	}
	return append(buf, flat...)
}

func appendPrettySeq(buf []byte, open, close string, elems []Value, col, width int) []byte {
	buf = append(buf, open...)
	inner := col + len(open)
	for i, e := range elems {
		if i > 0 {
			buf = appendNewline(buf, inner)
		}
		buf = appendPretty(buf, e, inner, width)
	}
	return append(buf, close...)
}

func appendPrettyMap(buf []byte, m *Map, col, width int) []byte {
	buf = append(buf, '{')
	inner := col + 1
	for i, e := range m.entries {
		if i > 0 {
			buf = appendNewline(append(buf, ','), inner)
		}
		start := len(buf)
		buf = append(Append(buf, e.Key), ' ')
		buf = appendPretty(buf, e.Value, inner+len(buf)-start, width)
	}
	return append(buf, '}')
}

func appendNewline(buf []byte, indent int) []byte {
	buf = append(buf, '\n')
	for range indent {
		buf = append(buf, ' ')
	}
	return buf
}
