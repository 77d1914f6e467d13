export type FormulaSyntaxCode = 'formula_syntax' | 'unknown_function';

/** A formula that cannot be parsed; `position` is the 0-based character offset of the problem. */
export class FormulaSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
    readonly code: FormulaSyntaxCode = 'formula_syntax',
  ) {
    super(message);
    this.name = 'FormulaSyntaxError';
  }
}

/** Excel-style error values; a formula field whose evaluation fails stores no value. */
export type FormulaErrorCode = '#VALUE!' | '#DIV/0!' | '#NUM!' | '#N/A' | '#NAME?';

export class FormulaError extends Error {
  constructor(
    readonly code: FormulaErrorCode,
    message: string = code,
  ) {
    super(message);
    this.name = 'FormulaError';
  }
}
