// Package query parses the Datalog dialect of Datomic and DataScript into
// a typed AST for an evaluator to walk, and checks it as DataScript does,
// so that a query DataScript accepts parses here and one it rejects fails
// here with a message that says why.
//
// # Grammar
//
// A query is an EDN vector whose keywords start sections, or a map of
// sections to vectors:
//
//	[:find ?name (count ?friend) :in $ ?min :where ...]
//	{:find [?name (count ?friend)] :in [$ ?min] :where [...]}
//
//	query        = [:find find-spec return-map? :in in+ :with var+ :where clause+]
//	find-spec    = find-elem+          relation: a set of tuples
//	             | [find-elem ...]     collection
//	             | [find-elem+]        single tuple
//	             | find-elem .         scalar
//	find-elem    = ?var | (aggregate-fn n? ?var) | (aggregate ?fn arg* ?var)
//	             | (pull $src? ?var pattern)        pattern a vector or an :in var
//	aggregate-fn = count | count-distinct | sum | min | max | avg | median
//	             | variance | stddev | distinct | rand | sample
//	return-map   = :keys sym+ | :strs sym+ | :syms sym+
//	in           = $src | % | ?var | [?var ...] | [binding+] | [[binding+]] | plain-symbol
//	binding      = ?var | _ | [binding ...] | [binding+] | [[binding+]]
//	clause       = [$src? term{1,5}]                data pattern e a v tx added
//	             | [(fn arg*)]                      predicate; fn a symbol or ?var
//	             | [(fn arg*) binding]              function call
//	             | ($src? rule-name term+)          rule call
//	             | ($src? not clause+) | ($src? not-join [?var+] clause+)
//	             | ($src? or branch+)  | ($src? or-join rule-vars branch+)
//	branch       = clause | (and clause+)
//	rule-vars    = [?var+] | [[?required+] ?var*]
//	term         = ?var | _ | constant          arg = ?var | $src | constant
//
// Sections missing from a query take DataScript's defaults: :in is [$] and
// :where is empty. Rules come as a separate input bound to % (ParseRules):
//
//	[[(follows ?a ?b) [?a :follows ?b]]
//	 [(follows ?a ?b) [?a :follows ?x] (follows ?x ?b)]]
//
// Pull patterns have their own grammar and AST (ParsePull, Pull).
//
// # AST
//
// Variables are interned per query as small integers (Var), indices into
// Query.Vars, so an evaluator binds them in slices. Each rule branch has
// its own variables. Clauses are pointers to Pattern, Predicate, Function,
// RuleCall, Not, Or and And; bindings to BindScalar, BindTuple, BindColl and
// BindIgnore. A term is a variable, _, a constant (any EDN value that is
// not a symbol: keywords, numbers, lookup refs [:attr value]) or, as an
// argument of a function, a source. A clause with no source of its own
// reads the implicit source: $, or the source of the enclosing
// ($src not ...) or ($src or ...). For example
//
//	[:find ?n . :in $ ?e :where [?e :name ?n]]
//
// parses to Vars [?n ?e], Find{Kind: FindScalar, Elems: [{ElemVar, Var 0}]},
// In [{InSource $} {InBinding BindScalar{1}}] and Where [Pattern{Terms:
// [Var 1, Const :name, Var 0]}]. FormatQuery writes the AST back as EDN.
//
// # Checks
//
// Parsing rejects, with an error that starts "query: ":
//   - malformed sections, find elements, bindings and clauses;
//   - unknown aggregates and wrong aggregate arguments;
//   - variables in :find or :with that neither :in nor :where binds, and
//     variables in both :find and :with;
//   - :in binding a variable, a source or % twice, :with listing one twice;
//   - sources that :in does not bind, data patterns on $ when :in lacks
//     it, rule calls when :in lacks %;
//   - :keys/:strs/:syms with a scalar or collection :find, or a count
//     different from :find's; more than one of them;
//   - not-join variables its clauses do not use, not and or without any
//     variable, rule vars that repeat;
//   - insufficient bindings, found by following the clauses in the order
//     written with the variables bound so far (DataScript evaluates in that
//     order and makes these checks as it goes): predicates and function
//     calls need all their argument variables bound; not needs one of its
//     variables bound, not-join all its join variables; or needs all
//     branches to leave the same variables free (else or-join is needed);
//     or-join needs its [required] variables bound and each branch to use
//     all the free join variables. Clauses of not-join and or-join see only
//     the join variables.
//
// What depends on the rules passed as % (unknown rules, arities, required
// rule arguments) is checked by Query.CheckRules once they are known;
// what depends on data or schema (unknown functions, attribute types, a
// pull limit on a cardinality-one attribute) is the evaluator's.
package query
