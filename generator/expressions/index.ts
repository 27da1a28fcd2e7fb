/** Generation-time parsers for Arazzo runtime expressions, templates and simple conditions. */
export type {
  Accessor,
  BareExpression,
  ComparisonOperator,
  Condition,
  ConditionOptions,
  ExpressionError,
  ExpressionWarning,
  JsonPointer,
  Operand,
  ParseResult,
  RuntimeExpression,
  Span,
  Template,
  TemplatePart
} from "./ast.js"
export { conditionToString, conditionWarnings, operandToString, parseCondition } from "./condition.js"
export {
  hasRuntimeExpressionPrefix,
  isRuntimeExpression,
  parseRuntimeExpression,
  resolveNamePath
} from "./runtime-expression.js"
export { parseBracedTemplate, parseTemplate } from "./template.js"
