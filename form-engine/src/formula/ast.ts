export type BinaryOperator = '+' | '-' | '*' | '/' | '^' | '&' | '=' | '<>' | '<' | '<=' | '>' | '>=';

interface Span {
  /** 0-based offset of the first character of the node in the formula text. */
  start: number;
  /** 0-based offset just past the node. */
  end: number;
}

export type FormulaNode =
  | ({ type: 'number'; value: number } & Span)
  | ({ type: 'string'; value: string } & Span)
  | ({ type: 'boolean'; value: boolean } & Span)
  /** A field reference: `price`, `items.amount` (a subform column over all rows), `address.city`, or `id` (the record id). */
  | ({ type: 'ref'; name: string } & Span)
  | ({ type: 'unary'; op: '-' | '+' | '%'; operand: FormulaNode } & Span)
  | ({ type: 'binary'; op: BinaryOperator; left: FormulaNode; right: FormulaNode } & Span)
  /** `name` is upper-case: function names are case-insensitive. */
  | ({ type: 'call'; name: string; args: FormulaNode[] } & Span);
