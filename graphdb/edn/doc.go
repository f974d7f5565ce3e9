// Package edn reads and writes EDN, the extensible data notation of
// Clojure, Datomic and DataScript (https://github.com/edn-format/edn), in
// which stele's transactions, queries and pull patterns are written.
//
// # Values
//
// Parse maps each EDN element to one Go type:
//
//	EDN                          Go
//	nil                          nil
//	true, false                  bool
//	"a string"                   string
//	\a \newline \u00e9           Char
//	42 -7 +3                     int64
//	42N, or beyond int64         *big.Int
//	3.14 -1.5e10 ##Inf ##NaN     float64
//	2.50M                        BigDecimal{Unscaled: 250, Scale: 2}
//	:name :person/name           Keyword{Namespace, Name}
//	name ns/name / ?x            Symbol{Namespace, Name}
//	(a b)                        List ([]Value)
//	[a b]                        Vector ([]Value)
//	{:a 1, [1 2] b}              *Map (insertion order, lookup by Equal)
//	#{a b}                       *Set (insertion order, lookup by Equal)
//	#inst "1985-04-12T23:20:50.52Z"                time.Time, in UTC
//	#uuid "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"   UUID ([16]byte)
//	#myapp/Person {:first "Fred"}                  Tagged{Tag, Value}
//
// Keywords and symbols are comparable structs, so a query engine can use
// them as Go map keys and compare them with ==. Values are Go interface
// values (Value = any) so a type switch dispatches on them.
//
// # Syntax
//
// The reader follows the EDN specification with the details Clojure's
// reader settles:
//
//   - Whitespace is space, tab, newline, return, form feed, vertical tab
//     and comma. A comment runs from ';' to the end of the line. #_ discards
//     the next value (#_ #_ a b discards both).
//   - Strings may span lines and take the escapes \t \n \r \b \f \" \\ and
//     \uXXXX; a UTF-16 surrogate pair of \u escapes is one character, an
//     unpaired surrogate is an error. Input must be valid UTF-8.
//   - Characters are \c for any one character (\( and \" included),
//     \newline \space \tab \return \backspace \formfeed and \uXXXX.
//   - Integers are [+-]?(0|[1-9][0-9]*) with an optional N; floats add a
//     fraction .[0-9]* and/or an exponent [eE][+-]?[0-9]+, with an optional
//     M. There are no hex, octal, radix or ratio literals (they are Clojure,
//     not EDN). A float too large for float64 reads as ±Inf, as in Clojure.
//   - Symbols are made of letters, digits (not first) and . * + ! - _ ? $ %
//     & = < > : # and the quote (none of the last three first; after a
//     leading '+', '-' or '.' no digit), with at most one '/' between two
//     non-empty parts, or the lone '/'. Keywords are ':' and a symbol, except that a part may
//     start with a digit (:1, :a/2) and '/' alone is no keyword; "::a" is
//     an error. nil, true and false are not symbols.
//   - Tags are '#' followed by a symbol that starts with a letter. #inst
//     takes an RFC 3339 string (or the truncated forms "1985", "1985-04",
//     "1985-04-12", "1985-04-12T23:20" and "1985-04-12T23:20:50", read as
//     UTC); its instant in UTC must lie in the years 0 to 9999. #uuid takes
//     the 8-4-4-4-12 hex form. Other tags become Tagged values.
//   - A map with two Equal keys, a set with two Equal elements and a map
//     with an odd number of forms are errors. Collections, tags and
//     discards nest at most MaxDepth (1,000) deep.
//
// Errors are *SyntaxError values that say what and where:
//
//	edn: line 3, column 14: unterminated string
//
// The place is the start of the offending token or of the form left
// unterminated; columns count characters. Callers limit input size
// themselves (io.LimitReader for a Decoder).
//
// # Equality, hashing and order
//
// Equal follows Clojure's =: 1 equals 1N but not 1.0 or 1M, 1.5M equals
// 1.50M, a list equals a vector with the same elements, maps and sets
// ignore order; unlike Clojure, NaN equals NaN so that every value equals
// itself. Hash agrees with Equal and is randomized per process (like Go's
// maps, against collision flooding). Compare is a total order consistent
// with Equal, across kinds too (nil < booleans < numbers < characters <
// strings < keywords < symbols < UUIDs < instants < lists and vectors <
// maps < sets < tagged), for sorting query results and ordering indices;
// numbers compare by value across int64, *big.Int, float64 and
// BigDecimal.
//
// # Writing
//
// Format and Append write one line of EDN that Parse reads back to an Equal
// value, and writing that value again gives the same bytes: Format is a
// fixed point after one round. For example
//
//	Format(Parse(`{:a 1 :b [1.5e3 "x\ty"] :c #{\a}}`))
//
// is
//
//	{:a 1, :b [1500.0 "x\ty"], :c #{\a}}
//
// Maps and sets keep the order they were read or built in; numbers keep
// their kind (1N, 1.0, 1M); #inst values are written in UTC.
//
// # Streams
//
// A Decoder reads one value after another from an io.Reader, holding only
// the current value in memory, and returns each value as soon as its text
// is complete, so it also serves interactive input.
package edn
