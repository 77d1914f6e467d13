export type ConditionErrorCode =
  | 'invalid_condition'
  | 'unknown_field'
  | 'invalid_field'
  | 'invalid_op'
  | 'invalid_value'
  | 'too_deep'
  | 'too_many_clauses';

/** A filter or rule condition that is malformed, names an unknown field, or carries a value it may not. */
export class ConditionError extends Error {
  constructor(
    /** The field reference of the offending clause, or '' when the problem is the structure itself. */
    readonly field: string,
    message: string,
    readonly code: ConditionErrorCode,
    /** Where in the condition: e.g. 'and.1.or.0'. */
    readonly path: string = '',
  ) {
    super(message);
    this.name = 'ConditionError';
  }
}
