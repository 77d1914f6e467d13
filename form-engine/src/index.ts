/**
 * @qiao/form-engine — the pure form engine shared by the server (validation on write) and the web app (live preview).
 * No I/O and no Node-only modules.
 */

// Definition format
export { FIELD_TYPES, isFieldType, COMPUTED_TYPES, OPTION_TYPES, type FieldType } from './field-types.ts';
export {
  formDefinitionSchema,
  compactFormDefinitionSchema,
  fieldSchema,
  labelSchema,
  MAX_FIELDS,
  MAX_COLUMNS,
  MAX_FORMULA_LENGTH,
  type FormDefinition,
  type FieldDefinition,
  type ColumnDefinition,
  type AnyFieldDefinition,
  type FormRule,
  type FieldOption,
  type FieldLinkage,
} from './definition/schema.ts';
export { checkFormDefinition, type CheckResult, type DefinitionError, type DefinitionErrorCode } from './definition/check.ts';
export { indexForm, type FormLike, type FormIndex } from './definition/form-index.ts';
export { SAFE_IDENTIFIER, SYSTEM_FIELD_IDS, identifierProblem, type SystemFieldId } from './identifiers.ts';

// Records
export { buildRecordSchema, type RecordSchemaMode, type RecordSchemaOptions } from './record/build-schema.ts';
export type { JsonSchema } from './record/value-schema.ts';
export { validateRecord, recordValidator, type ValidationError, type ValidationCode, type ValidateContext } from './record/validate.ts';
export { stripComputed, normalizeRecord } from './record/strip.ts';
export { isEmail, isMobilePhone, isLandlinePhone, isInternationalPhone, isAnyPhone } from './record/formats.ts';
export { prepareRecord, type PrepareRecordContext } from './record/prepare-record.ts';

// Formulas
export type { FormulaNode, BinaryOperator } from './formula/ast.ts';
export { parseFormula, formulaDependencies } from './formula/parser.ts';
export { evaluateFormula } from './formula/evaluate.ts';
export { FormulaSyntaxError, FormulaError, type FormulaErrorCode, type FormulaSyntaxCode } from './formula/errors.ts';
export { FORMULA_FUNCTIONS } from './formula/functions/registry.ts';
export type { FormulaContext } from './formula/values.ts';
export { computeFormulas, applyDefaults, type ComputeContext, type DefaultsContext } from './formula/compute.ts';
export { linkageRequests, type LinkageRequest } from './formula/linkage.ts';

// Conditions
export {
  conditionSchema,
  compactConditionSchema,
  CONDITION_OPS,
  DYNAMIC_VALUES,
  MAX_CONDITION_DEPTH,
  type Condition,
  type ConditionLeaf,
  type ConditionOp,
  type ConditionValue,
  type ConditionScalar,
  type DynamicValue,
  type DynamicValueName,
  type RefValue,
  type ConditionFromSchema,
} from './condition/schema.ts';
export { ConditionError, type ConditionErrorCode } from './condition/errors.ts';
export type { ConditionContext } from './condition/prepare.ts';
export { compileConditionToMongo, type MongoFilter, type CompileOptions } from './condition/mongo.ts';
export { compileSort, type SortSpec } from './condition/sort.ts';
export { matchCondition, type MatchContext } from './condition/match.ts';
export { conditionFields } from './condition/fields.ts';
export { checkCondition } from './condition/check.ts';

// Rules, serial numbers, i18n
export { evaluateRules, type RulesResult, type RowRules } from './rules.ts';
export { formatSerial, serialPeriodKey, parseSerialPattern, SerialPatternError, type SerialToken } from './serial.ts';
export { labelOf, localize, type Lang, type LocalizedText } from './i18n.ts';
